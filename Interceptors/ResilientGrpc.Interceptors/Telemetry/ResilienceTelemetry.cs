namespace ResilientGrpc.Interceptors;

/// <summary>
/// Names under which the interceptors publish telemetry, for exporters (<c>metrics.AddMeter(ResilienceTelemetry.MeterName)</c>,
/// <c>tracing.AddSource(ResilienceTelemetry.ActivitySourceName)</c>), views and filters.
/// </summary>
public static class ResilienceTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every interceptor records to.</summary>
    public const string MeterName = "ResilientGrpc";

    /// <summary>
    /// The name of the <see cref="System.Diagnostics.ActivitySource"/> that records one span per logical call, the
    /// attempts under it, and span events for retries, pushback, breaker rejections and transitions, and hedges.
    /// </summary>
    public const string ActivitySourceName = "ResilientGrpc";

    /// <summary>The prefix of every logger category the interceptors write to (<c>ResilientGrpc.Retry</c>, ...).</summary>
    public const string LoggerCategoryPrefix = "ResilientGrpc";

    /// <summary>The instruments on the <see cref="MeterName"/> meter: gRPC's (gRFC A66, A91, A96) where one exists, else ours (<c>resilientgrpc.*</c>).</summary>
    public static class Instruments
    {
        /// <summary>Counter: attempts started, retries and hedges included (gRFC A66). Tags: <see cref="Tags.Method"/>, <see cref="Tags.Target"/>.</summary>
        public const string AttemptStarted = "grpc.client.attempt.started";

        /// <summary>Histogram, seconds: each attempt, from its start to its final status (gRFC A66). Tags: method, target, status.</summary>
        public const string AttemptDuration = "grpc.client.attempt.duration";

        /// <summary>Histogram, seconds: each call as its caller saw it, attempts and waits included (gRFC A66). Tags: method, target, status.</summary>
        public const string CallDuration = "grpc.client.call.duration";

        /// <summary>Histogram: the retries of each call that was retried (gRFC A96). Tags: method, target.</summary>
        public const string CallRetries = "grpc.client.call.retries";

        /// <summary>Histogram, seconds: the backoff a retried call waited in all (gRFC A96). Tags: method, target.</summary>
        public const string CallRetryDelay = "grpc.client.call.retry_delay";

        /// <summary>Counter: retries (and hedges) the retry budget refused. Tags: method, target.</summary>
        public const string RetryThrottled = "resilientgrpc.retry.throttled";

        /// <summary>Histogram: the hedges of each call that sent any (gRFC A96). Tags: method, target.</summary>
        public const string CallHedges = "grpc.client.call.hedges";

        /// <summary>Counter: hedges cancelled because another answered first, while they still ran. Tags: method, target.</summary>
        public const string HedgesCancelled = "resilientgrpc.hedging.cancelled";

        /// <summary>Observable gauge: each breaker's state (0 closed, 1 open, 2 half-open, 3 isolated). Tags: <see cref="Tags.Breaker"/>.</summary>
        public const string BreakerState = "resilientgrpc.circuit_breaker.state";

        /// <summary>Counter: breaker state changes. Tags: <see cref="Tags.Breaker"/>, <see cref="Tags.From"/>, <see cref="Tags.To"/>.</summary>
        public const string BreakerTransitions = "resilientgrpc.circuit_breaker.transitions";

        /// <summary>Counter: calls an open (or half-open, or isolated) breaker refused. Tags: <see cref="Tags.Breaker"/>, <see cref="Tags.Method"/>.</summary>
        public const string BreakerRejections = "resilientgrpc.circuit_breaker.rejections";

        /// <summary>Counter: endpoints ejected by outlier detection (gRFC A91). Tags: target, detection method.</summary>
        public const string EjectionsEnforced = "grpc.lb.outlier_detection.ejections_enforced";

        /// <summary>Counter: ejections outlier detection would have made but its cap forbade (gRFC A91). Tags: target, detection method, reason.</summary>
        public const string EjectionsUnenforced = "grpc.lb.outlier_detection.ejections_unenforced";

        /// <summary>Observable gauge: the endpoints ejected now. Tags: target.</summary>
        public const string Ejected = "resilientgrpc.outlier_detection.ejected";

        /// <summary>Counter: attempts refused locally for overload, without reaching the server. Tags: method, target, reason.</summary>
        public const string OverloadRejections = "resilientgrpc.overload.rejections";

        /// <summary>Observable gauge: a concurrency limit, the most attempts in flight at once. Tags: target.</summary>
        public const string ConcurrencyLimit = "resilientgrpc.concurrency_limit.limit";

        /// <summary>Observable gauge: the attempts in flight through a concurrency limit. Tags: target.</summary>
        public const string ConcurrencyInFlight = "resilientgrpc.concurrency_limit.in_flight";

        /// <summary>Observable gauge: the attempts waiting in line for a slot of a concurrency limit. Tags: target.</summary>
        public const string ConcurrencyQueued = "resilientgrpc.concurrency_limit.queued";

        /// <summary>Observable gauge: the probability that adaptive throttling refuses a new attempt. Tags: target.</summary>
        public const string ThrottlingProbability = "resilientgrpc.adaptive_throttling.probability";
    }

    /// <summary>The names of the tags the instruments carry.</summary>
    public static class Tags
    {
        /// <summary>The full method name without its leading slash (<c>unstable.v1.UnstableService/Process</c>).</summary>
        public const string Method = "grpc.method";

        /// <summary>The channel's target (its authority), or <c>unknown</c>.</summary>
        public const string Target = "grpc.target";

        /// <summary>The final status code's name (<c>OK</c>, <c>UNAVAILABLE</c>, ...).</summary>
        public const string Status = "grpc.status";

        /// <summary>The breaker's name, with its key when it has one (<c>name/key</c>).</summary>
        public const string Breaker = "breaker";

        /// <summary>The state a breaker left.</summary>
        public const string From = "from";

        /// <summary>The state a breaker entered.</summary>
        public const string To = "to";

        /// <summary>How outlier detection judged an endpoint (gRFC A91).</summary>
        public const string DetectionMethod = "grpc.lb.outlier_detection.detection_method";

        /// <summary>Why an ejection was not made (gRFC A91).</summary>
        public const string UnenforcedReason = "grpc.lb.outlier_detection.unenforced_reason";

        /// <summary>Which layer refused an attempt for overload: <c>concurrency_limit</c> or <c>adaptive_throttling</c>.</summary>
        public const string Reason = "reason";
    }
}
