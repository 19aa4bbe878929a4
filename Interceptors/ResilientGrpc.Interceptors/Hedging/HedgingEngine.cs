using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>
/// The hedging rules of one interceptor, shared by all its calls: the policy, the retry budget (gRFC A6) if any, the
/// clock hedges are timed on, and the telemetry they report to. Per-call state lives in the call.
/// </summary>
internal sealed class HedgingEngine(HedgingPolicy policy, RetryThrottle? throttle, TimeProvider time, HedgingTelemetry telemetry)
{
    public HedgingPolicy Policy => policy;

    public TimeProvider Time => time;

    public HedgingTelemetry Telemetry => telemetry;

    /// <summary>Whether the retry budget lets a hedge go now; always, without a budget.</summary>
    public bool AllowsHedge => throttle?.AllowsRetry ?? true;

    /// <summary>A hedged call was answered successfully: the budget gets its token ratio back.</summary>
    public void Succeeded() => throttle?.RecordSuccess();

    /// <summary>An attempt of a hedged call failed with a non-fatal status: the budget loses a token.</summary>
    public void FailedNonFatally() => throttle?.RecordFailure();
}
