using System.Collections.Frozen;
using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>
/// The validated, immutable hedging settings and the pure decisions made from them: which methods are hedged, how
/// long to wait between hedges, and which failures let the next hedge go. Nothing here touches time or the network.
/// </summary>
internal sealed class HedgingPolicy
{
    private readonly FrozenSet<string> hedgedMethods;
    private readonly FrozenDictionary<string, TimeSpan> methodDelays;
    private readonly TimeSpan delay;
    private readonly uint nonFatalMask;

    /// <param name="options">Validated options, copied here: later changes to them do not reach the policy.</param>
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

    /// <summary>The most attempts per call, the first included.</summary>
    public int MaxAttempts { get; }

    /// <summary>The methods and services hedged, as configured.</summary>
    public IReadOnlyCollection<string> HedgedMethods => hedgedMethods;

    /// <summary>Whether calls to <paramref name="method"/> are hedged.</summary>
    public bool AppliesTo(IMethod method) => MaxAttempts > 1 && MethodKey.Matches(hedgedMethods, method);

    /// <summary>The wait between hedges of <paramref name="method"/> while no answer has come.</summary>
    public TimeSpan DelayOf(IMethod method) => MethodKey.TryGet(methodDelays, method, out var value) ? value : delay;

    /// <summary>
    /// What an attempt's failure with <paramref name="error"/> means for the call. While <paramref name="callerDeadlineAhead"/>,
    /// a <see cref="StatusCode.DeadlineExceeded"/> is the attempt's own deadline (a deadline interceptor below gives each
    /// hedge one), not the caller's: non-fatal, so the other hedges may still answer.
    /// </summary>
    public HedgeFailure Classify(Exception error, bool callerDeadlineAhead) => error switch
    {
        INonRetryableError => HedgeFailure.Refused,
        RpcException rpc when // Stryker disable once Equality : "< 32" as "<= 32" lets code 32 through, whose shift wraps to bit 0, OK's, which validation keeps out of the mask.
            (uint)rpc.StatusCode < 32 && (nonFatalMask & (1u << (int)rpc.StatusCode)) != 0 =>
            RetryHeaders.PushbackOf(rpc.Trailers) switch
            {
                null => HedgeFailure.NonFatal,
                { } pushback when pushback < TimeSpan.Zero => HedgeFailure.PushbackStop,
                _ => HedgeFailure.Pushback,
            },
        RpcException { StatusCode: StatusCode.DeadlineExceeded } when callerDeadlineAhead => HedgeFailure.NonFatal,
        _ => HedgeFailure.Fatal,
    };
}
