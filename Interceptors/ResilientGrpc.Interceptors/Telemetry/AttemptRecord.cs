using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>What a <see cref="CallScope"/> records when the attempt or call it observes ends.</summary>
internal readonly struct AttemptRecord(
    CallTelemetry telemetry,
    RecordedCallContext? call,
    long attemptStart,
    bool recordsAttempt,
    bool recordsCall) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) => Record(error is null ? StatusCode.OK : CallErrors.CodeOf(error), error);

    public void OnAbandoned() => Record(StatusCode.Cancelled, error: null);

    /// <summary>Records the end with <paramref name="error"/> (null: success); false, for use as an exception filter.</summary>
    public bool Ended(Exception? error)
    {
        OnEnded(error, default);
        return false;
    }

    private void Record(StatusCode status, Exception? error)
    {
        if (call is null)
        {
            return;
        }

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
