using BenchmarkDotNet.Attributes;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Overload;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// Where the concurrency limit's cost on a healthy attempt goes: one admission and one successful end of an attempt
/// through the limiter alone, adaptive and fixed, beside the pieces an adaptive end adds (a monotonic clock read, an
/// uncontended lock). A diagnosis aid for A.1's "the same without the limit" row, not a contender comparison.
/// </summary>
public class LimiterCostBenchmarks
{
    private readonly TimeProvider time = TimeProvider.System;
    private readonly Lock gate = new();
    private ConcurrencyLimiter adaptive = null!;
    private ConcurrencyLimiter timedAdaptive = null!;
    private ConcurrencyLimiter fixedLimit = null!;
    private long counter;

    [GlobalSetup]
    public void Setup()
    {
        adaptive = new ConcurrencyLimiter(new ConcurrencyLimitOptions(), time);
        timedAdaptive = new ConcurrencyLimiter(new ConcurrencyLimitOptions { InitialLimit = 7, MaxLimit = 7 }, time);
        fixedLimit = new ConcurrencyLimiter(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed, InitialLimit = 1_000 }, time);
    }

    /// <summary>What an adaptive limit reads twice per attempt: <see cref="TimeProvider.GetTimestamp"/> of the system clock.</summary>
    [Benchmark]
    public long ClockRead() => time.GetTimestamp();

    /// <summary>What an adaptive limit takes once per attempt end: an uncontended lock around a little work.</summary>
    [Benchmark]
    public long UncontendedLock()
    {
        lock (gate)
        {
            return ++counter;
        }
    }

    /// <summary>Admission and a successful end under the default (<c>Gradient</c>) limit, one attempt alone in flight at a time.</summary>
    [Benchmark(Baseline = true)]
    public bool AdaptiveAttempt()
    {
        var admitted = adaptive.TryAcquire(out var token);
        adaptive.Release(token, error: null, CancellationToken.None, CancellationToken.None);
        return admitted;
    }

    /// <summary>
    /// The same under a limit below 8, where every attempt is timed, even one alone in flight (under the default limit,
    /// once the baseline knows an epoch of quiet rounds, one attempt alone in 8 is timed).
    /// </summary>
    [Benchmark]
    public bool TimedAdaptiveAttempt()
    {
        var admitted = timedAdaptive.TryAcquire(out var token);
        timedAdaptive.Release(token, error: null, CancellationToken.None, CancellationToken.None);
        return admitted;
    }

    /// <summary>Admission and an end under a <c>Fixed</c> limit: the count alone.</summary>
    [Benchmark]
    public bool FixedAttempt()
    {
        var admitted = fixedLimit.TryAcquire(out var token);
        fixedLimit.Release(token, error: null, CancellationToken.None, CancellationToken.None);
        return admitted;
    }
}
