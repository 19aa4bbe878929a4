namespace ResilientGrpc.Interceptors;

/// <summary>
/// Names under which the interceptors publish telemetry, for wiring exporters
/// (for example <c>metrics.AddMeter(ResilienceTelemetry.MeterName)</c> with OpenTelemetry).
/// </summary>
public static class ResilienceTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every interceptor records to.</summary>
    public const string MeterName = "ResilientGrpc";

    /// <summary>The prefix of every logger category the interceptors write to (<c>ResilientGrpc.Retry</c>, ...).</summary>
    public const string LoggerCategoryPrefix = "ResilientGrpc";
}
