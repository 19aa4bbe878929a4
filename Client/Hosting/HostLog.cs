namespace ResilientGrpc.Client.Hosting;

/// <summary>The client host's own events (category <c>ResilientGrpc.Client</c>).</summary>
internal static partial class HostLog
{
    public const string Category = "ResilientGrpc.Client";

    [LoggerMessage(401, LogLevel.Information, "Metrics for Prometheus at {MetricsUrl}", EventName = "MetricsListening")]
    public static partial void MetricsListening(ILogger logger, string metricsUrl);

    [LoggerMessage(402, LogLevel.Information,
        "Continuous load on {Server}: {Rate} calls/s, at most {Concurrency} in flight, {Duration}; deadline {Deadline:0.###} s, "
        + "{MaxAttempts} attempts from {Backoff:0.###} s backoff, breaker '{Breaker}' opens after {Threshold} failed calls in a row for {Break:0.###} s",
        EventName = "LoadStarted")]
    public static partial void LoadStarted(
        ILogger logger, Uri server, double rate, int concurrency, string duration, double deadline, int maxAttempts, double backoff, string breaker, int threshold, double @break);

    [LoggerMessage(403, LogLevel.Information,
        "Load finished: {Calls} calls, {Ok} OK, {Failed} failed, {Rejected} rejected by the breaker, {Retries} retries",
        EventName = "LoadFinished")]
    public static partial void LoadFinished(ILogger logger, long calls, long ok, long failed, long rejected, long retries);

    [LoggerMessage(404, LogLevel.Information,
        "Balancing round robin with outlier detection over {Endpoints}", EventName = "Balancing")]
    public static partial void Balancing(ILogger logger, string endpoints);
}
