using System.Diagnostics;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// The <see cref="ResilienceTelemetry.ActivitySourceName"/> activity source: one span per logical call, started by the
/// outermost of our interceptors (see <see cref="CallTracing"/>). One static source, as .NET advises, versioned like the meter.
/// </summary>
internal static class ResilienceActivitySource
{
    public static ActivitySource Source { get; } = new(ResilienceTelemetry.ActivitySourceName, ResilienceMeter.Version);
}
