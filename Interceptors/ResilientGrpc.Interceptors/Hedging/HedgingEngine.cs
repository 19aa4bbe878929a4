using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>The hedging rules, retry budget, clock and telemetry of one interceptor, shared by its calls; per-call state lives in the call.</summary>
internal sealed class HedgingEngine(HedgingPolicy policy, RetryThrottle? throttle, TimeProvider time, HedgingTelemetry telemetry)
{
    public HedgingPolicy Policy => policy;

    public TimeProvider Time => time;

    public HedgingTelemetry Telemetry => telemetry;

    /// <summary>Whether the retry budget lets a hedge go now; always, without a budget.</summary>
    public bool AllowsHedge => throttle?.AllowsRetry ?? true;

    public void Succeeded() => throttle?.RecordSuccess();

    public void FailedNonFatally() => throttle?.RecordFailure();
}
