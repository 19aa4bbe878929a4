namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// Instrument and tag names, following gRPC's OpenTelemetry metrics (gRFC A66, A96) where one exists.
/// </summary>
internal static class MetricNames
{
    public const string AttemptStarted = "grpc.client.attempt.started";
    public const string AttemptDuration = "grpc.client.attempt.duration";
    public const string CallDuration = "grpc.client.call.duration";
    public const string CallRetries = "grpc.client.call.retries";
    public const string CallRetryDelay = "grpc.client.call.retry_delay";
    public const string RetryThrottled = "resilientgrpc.retry.throttled";
    public const string CallHedges = "grpc.client.call.hedges";
    public const string HedgesCancelled = "resilientgrpc.hedging.cancelled";
    public const string BreakerState = "resilientgrpc.circuit_breaker.state";
    public const string BreakerTransitions = "resilientgrpc.circuit_breaker.transitions";
    public const string BreakerRejections = "resilientgrpc.circuit_breaker.rejections";

    public const string MethodTag = "grpc.method";
    public const string TargetTag = "grpc.target";
    public const string StatusTag = "grpc.status";
    public const string BreakerTag = "breaker";
    public const string FromTag = "from";
    public const string ToTag = "to";
}
