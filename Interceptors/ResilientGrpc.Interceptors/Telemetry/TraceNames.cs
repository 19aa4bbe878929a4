namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>Span tag and event names: OpenTelemetry's RPC conventions, and ours (listed in the README's "OpenTelemetry" section).</summary>
internal static class TraceNames
{
    public const string RpcSystem = "rpc.system";
    public const string RpcSystemGrpc = "grpc";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcStatusCode = "rpc.grpc.status_code";

    public const string RetryScheduled = "retry.scheduled";
    public const string Pushback = "pushback";
    public const string BreakerRejected = "circuit_breaker.rejected";
    public const string BreakerTransition = "circuit_breaker.transition";
    public const string HedgeSent = "hedge.sent";
    public const string HedgeCancelled = "hedge.cancelled";

    public const string AttemptTag = "attempt";
    public const string DelayTag = "delay_ms";
    public const string PushbackTag = "pushback_ms";
    public const string StopsTag = "stops";
    public const string StateTag = "state";
    public const string ReasonTag = "reason";
    public const string CountTag = "count";
}
