using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>What one interceptor records of one call: its recorded context (null: nothing records), and whether this layer owns the call.</summary>
internal readonly struct CallScope(CallTelemetry telemetry, RecordedCallContext? call, bool ownsCall)
{
    public RecordedCallContext? Context => call;

    public CallScope NextAttempt()
    {
        call?.OpenAttempt(telemetry.Now());
        return new CallScope(telemetry, call, ownsCall: false);
    }

    /// <summary>Records <paramref name="started"/> once it ends: as an attempt if this layer claims it, and as the call if it owns it.</summary>
    public TCall Track<TCall, TKind>(TCall started, bool claimsAttempt = true)
        where TCall : class
        where TKind : ICallKind<TCall>
    {
        var recordsAttempt = claimsAttempt && call is not null && telemetry.ClaimAttempt(call);
        var tracked = recordsAttempt || (ownsCall && call is not null)
            ? TKind.Observe(started, new AttemptRecord(telemetry, call!, recordsAttempt ? call!.AttemptStart : 0, recordsAttempt, ownsCall))
            : started;

        // When this interceptor started the call, it hands it back: the caller's current activity is current again.
        if (ownsCall && call?.Span is { } span)
        {
            CallTracing.Handed(span);
        }

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

        // Stryker disable once Boolean : a filter that returns true catches the error only to rethrow it unchanged.
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
}

internal readonly struct AttemptRecord(
    CallTelemetry telemetry,
    RecordedCallContext call,
    long attemptStart,
    bool recordsAttempt,
    bool recordsCall) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) => Record(error is null ? StatusCode.OK : CallErrors.CodeOf(error), error);

    public void OnAbandoned() => Record(StatusCode.Cancelled, error: null);

    private void Record(StatusCode status, Exception? error)
    {
        if (recordsAttempt)
        {
            telemetry.AttemptEnded(call, attemptStart, status);
        }

        if (recordsCall)
        {
            telemetry.CallEnded(call, status, error);
        }
    }
}
