using System.Collections.Concurrent;
using System.Collections.Immutable;
using Grpc.Core;
using ResilientGrpc.Client.Calls;

namespace ResilientGrpc.Client.Reporting;

/// <summary>
/// Thread-safe running totals of the client's traffic: call outcomes recorded by the caller, and the
/// library's own attempt, retry, rejection and hedge counts fed in by <see cref="ResilienceMeterListener"/>.
/// </summary>
internal sealed class TrafficCounters
{
    private readonly ConcurrentDictionary<StatusCode, long> failures = new();
    private long calls;
    private long succeeded;
    private long rejected;
    private long retries;
    private long attempts;
    private long breakerRejections;
    private long hedges;
    private long hedgesCancelled;

    public void CallCompleted(CallOutcome outcome)
    {
        if (outcome.Succeeded)
        {
            Interlocked.Increment(ref succeeded);
        }
        else if (outcome.RejectedByBreaker)
        {
            Interlocked.Increment(ref rejected);
        }
        else
        {
            failures.AddOrUpdate(outcome.Status, 1, static (_, count) => count + 1);
        }

        // Last, so a reader never sees more calls than outcomes.
        Interlocked.Increment(ref calls);
    }

    public void RetriesReported(long count) => Interlocked.Add(ref retries, count);

    public void AttemptsReported(long count) => Interlocked.Add(ref attempts, count);

    public void RejectionsReported(long count) => Interlocked.Add(ref breakerRejections, count);

    public void HedgesReported(long count) => Interlocked.Add(ref hedges, count);

    public void HedgesCancelledReported(long count) => Interlocked.Add(ref hedgesCancelled, count);

    public TrafficSnapshot Snapshot() => new(
        Interlocked.Read(ref calls),
        Interlocked.Read(ref succeeded),
        Interlocked.Read(ref rejected),
        failures.ToImmutableSortedDictionary(),
        Interlocked.Read(ref retries),
        Interlocked.Read(ref attempts),
        Interlocked.Read(ref breakerRejections),
        Interlocked.Read(ref hedges),
        Interlocked.Read(ref hedgesCancelled));
}
