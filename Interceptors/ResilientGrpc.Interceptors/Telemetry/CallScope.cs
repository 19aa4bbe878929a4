using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// What one interceptor records of one call, from entering it to handing it back: the call's context (null when nothing
/// records), and whether it owns the call, so records it, ends its span, and restores the caller's activity.
/// </summary>
internal readonly struct CallScope
{
    private readonly CallTelemetry telemetry;
    private readonly RecordedCallContext? call;
    private readonly bool ownsCall;

    public CallScope(CallTelemetry telemetry, RecordedCallContext? call, bool ownsCall)
    {
        this.telemetry = telemetry;
        this.call = call;
        this.ownsCall = ownsCall;
    }

    public RecordedCallContext? Context => call;

    /// <summary>The scope of the next attempt of a call made of attempts: nobody's yet; the call is this scope's.</summary>
    public CallScope NextAttempt()
    {
        if (call is not null)
        {
            call.OpenAttempt(telemetry.Now());
        }

        return new CallScope(telemetry, call, ownsCall: false);
    }

    /// <summary>Records <paramref name="attempt"/> (unless a layer below does) and the call (if owned) once it ends.</summary>
    public TCall Track<TCall, TKind>(TCall attempt)
        where TCall : class
        where TKind : ICallKind<TCall>
    {
        var tracked = Observer(claimsAttempt: true, out var observer) ? TKind.Observe(attempt, observer) : attempt;
        HandBack();
        return tracked;
    }

    /// <summary>Records the call when this interceptor started it: <paramref name="call"/> is made of attempts tracked apart.</summary>
    public TCall TrackCall<TCall, TKind>(TCall call)
        where TCall : class
        where TKind : ICallKind<TCall>
    {
        var tracked = Observer(claimsAttempt: false, out var observer) ? TKind.Observe(call, observer) : call;
        HandBack();
        return tracked;
    }

    /// <summary>The call threw instead of starting: an owned call's span ends with <paramref name="error"/>. False, for a filter.</summary>
    public bool Threw(Exception error)
    {
        if (ownsCall && call?.Span is { } span)
        {
            CallTracing.End(span, CallErrors.CodeOf(error), error);
            CallTracing.Handed(span);
        }

        return false;
    }

    /// <summary>This interceptor failed the call itself with <paramref name="error"/> (for example an open circuit): no attempt left.</summary>
    public void Refused(StatusCode status, Exception? error = null)
    {
        if (call is null)
        {
            return;
        }

        call.RefuseAttempt();
        if (ownsCall)
        {
            telemetry.CallEnded(call, status, error);
        }
    }

    /// <summary>When this interceptor started the call, it hands it back: the caller's current activity is current again.</summary>
    private void HandBack()
    {
        if (ownsCall && call?.Span is { } span)
        {
            CallTracing.Handed(span);
        }
    }

    private bool Observer(bool claimsAttempt, out AttemptRecord observer)
    {
        var recordsAttempt = claimsAttempt && call is not null && telemetry.ClaimAttempt(call);
        observer = new AttemptRecord(telemetry, call, recordsAttempt ? call!.AttemptStart : 0, recordsAttempt, ownsCall);
        return recordsAttempt || (ownsCall && call is not null);
    }
}
