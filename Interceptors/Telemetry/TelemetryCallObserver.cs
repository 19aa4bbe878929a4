using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>What one interceptor records when a call it observes ends.</summary>
internal readonly struct TelemetryCallObserver(
    CallTelemetry telemetry,
    ResilienceCallContext? call,
    long attemptStart,
    bool recordsAttempt,
    bool recordsCall,
    DeadlineReport deadline) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) =>
        telemetry.Ended(call, attemptStart, recordsAttempt, recordsCall, error is null ? StatusCode.OK : RpcStatus.CodeOf(error), deadline);

    public void OnAbandoned() =>
        telemetry.Ended(call, attemptStart, recordsAttempt, recordsCall, StatusCode.Cancelled, deadline);
}
