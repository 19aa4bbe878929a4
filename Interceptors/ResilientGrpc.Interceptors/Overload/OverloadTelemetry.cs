using Grpc.Core;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// What an overload layer reports: every local refusal counted (<c>resilientgrpc.overload.rejections</c>, by reason),
/// and the start and end of each spell of refusals logged.
/// </summary>
internal sealed class OverloadTelemetry(OverloadRejectionReason reason, ILogger logger, OverloadMetrics metrics, TimeProvider time, string? target)
{
    private readonly RefusalSpell spell = new(time);

    /// <summary>The <c>grpc.target</c> tag of the layer's gauges.</summary>
    public string Target { get; } = target ?? "unknown";

    /// <summary>
    /// Counts a refused attempt of <paramref name="method"/> to <paramref name="host"/>; <paramref name="startsSpell"/>
    /// says whether it is the first of a spell, which the caller logs with what it knows.
    /// </summary>
    public void Refused(IMethod method, string? host, out bool startsSpell)
    {
        metrics.Rejected(reason, MethodNames.Of(method), host ?? Target);
        startsSpell = spell.Refused();
    }

    /// <summary>An attempt was admitted: true, with the spell's refusals, when that ends a spell of refusals.</summary>
    public bool Admitted(out long refusals) => spell.Admitted(out refusals);

    /// <summary>The layer's logger, for the events of <see cref="OverloadLog"/>.</summary>
    public ILogger Logger => logger;
}
