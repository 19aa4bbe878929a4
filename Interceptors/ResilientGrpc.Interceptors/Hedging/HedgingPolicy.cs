using System.Collections.Frozen;
using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>The validated, immutable hedging settings and the pure decisions made from them: what is hedged, when, after which failures.</summary>
internal sealed class HedgingPolicy
{
    private readonly FrozenSet<string> hedgedMethods;
    private readonly FrozenDictionary<string, TimeSpan> methodDelays;
    private readonly TimeSpan delay;
    private readonly uint nonFatalMask;

    public HedgingPolicy(HedgingOptions options)
    {
        MaxAttempts = options.MaxAttempts;
        hedgedMethods = options.HedgedMethods.ToFrozenSet(StringComparer.Ordinal);
        methodDelays = options.MethodDelays.ToFrozenDictionary(StringComparer.Ordinal);
        delay = options.Delay;
        foreach (var code in options.NonFatalStatusCodes)
        {
            Debug.Assert((uint)code < 32, "gRPC status codes are 0..16.");
            // Stryker disable once Assignment : a set holds each code once, so ^= sets the same bits as |= (&= is killed).
            nonFatalMask |= 1u << (int)code;
        }
    }

    public int MaxAttempts { get; }

    public IReadOnlyCollection<string> HedgedMethods => hedgedMethods;

    public bool AppliesTo(IMethod method) => MaxAttempts > 1 && MethodKey.Matches(hedgedMethods, method);

    public TimeSpan DelayOf(IMethod method) => MethodKey.TryGet(methodDelays, method, out var value) ? value : delay;

    /// <summary>What a failure means for the call; DEADLINE_EXCEEDED while <paramref name="callerDeadlineAhead"/> is the attempt's own, non-fatal.</summary>
    public HedgeFailure Classify(Exception error, bool callerDeadlineAhead, out TimeSpan? pushback)
    {
        pushback = null;
        switch (error)
        {
            case INonRetryableError:
                return HedgeFailure.Refused;
            // Stryker disable once Equality : "< 32" as "<= 32" lets code 32 through, whose shift wraps to bit 0, OK's, which validation keeps out of the mask.
            case RpcException rpc when (uint)rpc.StatusCode < 32 && (nonFatalMask & (1u << (int)rpc.StatusCode)) != 0:
                pushback = RetryHeaders.PushbackOf(rpc.Trailers);
                return pushback is null ? HedgeFailure.NonFatal : pushback < TimeSpan.Zero ? HedgeFailure.PushbackStop : HedgeFailure.Pushback;
            case RpcException { StatusCode: StatusCode.DeadlineExceeded } when callerDeadlineAhead:
                return HedgeFailure.NonFatal;
            default:
                return HedgeFailure.Fatal;
        }
    }
}

internal sealed class HedgingEngine(HedgingPolicy policy, RetryThrottle? throttle, TimeProvider time, HedgingTelemetry telemetry)
{
    public HedgingPolicy Policy => policy;

    public TimeProvider Time => time;

    public HedgingTelemetry Telemetry => telemetry;

    public bool AllowsHedge => throttle?.AllowsRetry ?? true;

    public void Succeeded() => throttle?.RecordSuccess();

    public void FailedNonFatally() => throttle?.RecordFailure();
}
