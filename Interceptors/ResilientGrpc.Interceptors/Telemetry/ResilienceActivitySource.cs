using System.Diagnostics;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>The <see cref="ResilienceTelemetry.ActivitySourceName"/> source (see <see cref="CallTracing"/>): one static source, as .NET advises.</summary>
internal static class ResilienceActivitySource
{
    public static ActivitySource Source { get; } = new(ResilienceTelemetry.ActivitySourceName, ResilienceMeter.Version);
}
