namespace ResilientGrpc.Interceptors;

/// <summary>
/// Names under which the interceptors publish telemetry, for wiring exporters
/// (for example <c>metrics.AddMeter(ResilienceTelemetry.MeterName)</c> and
/// <c>tracing.AddSource(ResilienceTelemetry.ActivitySourceName)</c> with OpenTelemetry).
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
}
