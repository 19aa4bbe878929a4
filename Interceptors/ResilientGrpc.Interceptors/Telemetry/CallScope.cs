using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// What one interceptor records of one call: the call's shared context (null when nothing is recorded, which also
/// holds when the current attempt started), and whether this interceptor started the call and so records it, and
/// ends its span (<see cref="CallTracing"/>) and makes the caller's activity current again when it hands the call
/// back. A small value, passed by the interceptor from the moment it enters the call to the moment it hands the call back.
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

    /// <summary>The call's shared context, if telemetry records the call.</summary>
    public RecordedCallContext? Context => call;

    /// <summary>
    /// The scope of the next attempt of a call this interceptor makes in several attempts: the attempt is nobody's yet,
    /// and the call is recorded by the scope that made the attempts.
    /// </summary>
    public CallScope NextAttempt()
    {
        if (call is not null)
        {
            call.OpenAttempt(telemetry.Now());
        }

        return new CallScope(telemetry, call, ownsCall: false);
    }

    /// <summary>
    /// Records the attempt <paramref name="attempt"/> (when no interceptor below did) and the call (when this
    /// interceptor started it) once it ends.
    /// </summary>
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

    /// <summary>
    /// The call threw <paramref name="error"/> instead of starting: when this interceptor started it, its span ends
    /// with that error and the caller's activity is current again. False, for use as an exception filter.
    /// </summary>
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
