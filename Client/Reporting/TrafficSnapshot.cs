using System.Collections.Immutable;
using Grpc.Core;

namespace ResilientGrpc.Client.Reporting;

/// <summary>
/// Counts of the client's traffic at one moment, or between two moments (<see cref="op_Subtraction"/>).
/// </summary>
/// <param name="Calls">Calls that completed.</param>
/// <param name="Succeeded">Calls that ended OK.</param>
/// <param name="Rejected">Calls the circuit breaker failed at once (status UNAVAILABLE, never retried).</param>
/// <param name="Failures">Other failed calls by final status.</param>
/// <param name="Retries">Retries the library reports (the sum of <c>grpc.client.call.retries</c>).</param>
/// <param name="Attempts">Attempts the library started, that is let through the breaker (<c>grpc.client.attempt.started</c>).</param>
/// <param name="BreakerRejections">Rejections the library reports (<c>resilientgrpc.circuit_breaker.rejections</c>).</param>
/// <param name="Hedges">Hedges sent, attempts after the first of hedged calls (the sum of <c>grpc.client.call.hedges</c>).</param>
/// <param name="HedgesCancelled">Attempts of hedged calls cancelled after another answered (<c>resilientgrpc.hedging.cancelled</c>).</param>
internal sealed record TrafficSnapshot(
    long Calls,
    long Succeeded,
    long Rejected,
    ImmutableSortedDictionary<StatusCode, long> Failures,
    long Retries,
    long Attempts,
    long BreakerRejections,
    long Hedges = 0,
    long HedgesCancelled = 0)
{
    public static readonly TrafficSnapshot Empty = new(0, 0, 0, ImmutableSortedDictionary<StatusCode, long>.Empty, 0, 0, 0);

    /// <summary>Gets the calls that failed with <see cref="StatusCode.DeadlineExceeded"/>.</summary>
    public long DeadlineExceeded => FailuresWith(StatusCode.DeadlineExceeded);

    /// <summary>Gets the calls that failed other than by the breaker (every status but OK).</summary>
    public long Failed => Failures.Values.Sum();

    public long FailuresWith(StatusCode status) => Failures.GetValueOrDefault(status);

    public static TrafficSnapshot operator -(TrafficSnapshot later, TrafficSnapshot earlier)
    {
        ArgumentNullException.ThrowIfNull(later);
        ArgumentNullException.ThrowIfNull(earlier);
        var failures = ImmutableSortedDictionary.CreateBuilder<StatusCode, long>();
        foreach (var (status, count) in later.Failures)
        {
            var delta = count - earlier.FailuresWith(status);
            if (delta != 0)
            {
                failures[status] = delta;
            }
        }

        return new TrafficSnapshot(
            later.Calls - earlier.Calls,
            later.Succeeded - earlier.Succeeded,
            later.Rejected - earlier.Rejected,
            failures.ToImmutable(),
            later.Retries - earlier.Retries,
            later.Attempts - earlier.Attempts,
            later.BreakerRejections - earlier.BreakerRejections,
            later.Hedges - earlier.Hedges,
            later.HedgesCancelled - earlier.HedgesCancelled);
    }

    public static TrafficSnapshot operator +(TrafficSnapshot left, TrafficSnapshot right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var failures = left.Failures.ToBuilder();
        foreach (var (status, count) in right.Failures)
        {
            failures[status] = failures.GetValueOrDefault(status) + count;
        }

        return new TrafficSnapshot(
            left.Calls + right.Calls,
            left.Succeeded + right.Succeeded,
            left.Rejected + right.Rejected,
            failures.ToImmutable(),
            left.Retries + right.Retries,
            left.Attempts + right.Attempts,
            left.BreakerRejections + right.BreakerRejections,
            left.Hedges + right.Hedges,
            left.HedgesCancelled + right.HedgesCancelled);
    }

    public static TrafficSnapshot Subtract(TrafficSnapshot later, TrafficSnapshot earlier) => later - earlier;

    public static TrafficSnapshot Add(TrafficSnapshot left, TrafficSnapshot right) => left + right;
}
