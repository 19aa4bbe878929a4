using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Settings of a <see cref="ConcurrencyLimitInterceptor"/>: how many attempts may be in flight at once through it, and
/// how that limit adapts to the server. The interceptor validates and copies them when it is constructed.
/// </summary>
public sealed class ConcurrencyLimitOptions
{
    /// <summary>How the limit is set.</summary>
    /// <value>The default value is <see cref="ConcurrencyLimitAlgorithm.Gradient"/>.</value>
    public ConcurrencyLimitAlgorithm Algorithm { get; set; } = ConcurrencyLimitAlgorithm.Gradient;

    /// <summary>
    /// The limit at the start; with <see cref="ConcurrencyLimitAlgorithm.Fixed"/>, the limit. Null starts an adaptive
    /// limit at <see cref="MaxLimit"/>: no attempt is refused until the server shows overload, and the first sign of it
    /// brings the limit down to what is in flight.
    /// </summary>
    /// <value>
    /// The default value is null. When set, must be at least <see cref="MinLimit"/> and at most <see cref="MaxLimit"/>;
    /// must be set for <see cref="ConcurrencyLimitAlgorithm.Fixed"/>.
    /// </value>
    public int? InitialLimit { get; set; }

    /// <summary>The lowest an adaptive limit goes.</summary>
    /// <value>The default value is 1. Must be at least 1.</value>
    public int MinLimit { get; set; } = 1;

    /// <summary>The highest an adaptive limit goes.</summary>
    /// <value>The default value is 10,000. Must be at least <see cref="MinLimit"/> and at most 65,535.</value>
    public int MaxLimit { get; set; } = 10_000;

    /// <summary>
    /// What an adaptive limit is multiplied by in a round in which the server refused attempts for overload (with one of
    /// <see cref="OverloadStatusCodes"/>) because of the client's load.
    /// </summary>
    /// <value>The default value is 0.9. Must be greater than 0 and less than 1.</value>
    public double BackoffRatio { get; set; } = 0.9;

    /// <summary>
    /// <see cref="ConcurrencyLimitAlgorithm.Gradient"/>: how much slower than its long-term latency the server may answer
    /// before the limit shrinks (1.25: a quarter slower).
    /// </summary>
    /// <value>The default value is 1.25. Must be at least 1 and at most 10.</value>
    public double LatencyTolerance { get; set; } = 1.25;

    /// <summary>
    /// How long an attempt that finds the limit reached may wait for a slot before it is refused; zero refuses it at
    /// once. A waiting attempt takes the first slot an answer frees (waiting attempts in the order they came), and
    /// leaves the queue with <see cref="StatusCode.DeadlineExceeded"/> when the caller's deadline passes first, or
    /// <see cref="StatusCode.Cancelled"/> when the caller cancels it. Only unary attempts wait. The default covers the
    /// moment between an answer that frees a slot and the next attempt to arrive, so a limit at the server's capacity
    /// keeps the server busy; the wait runs on the interceptor's <see cref="TimeProvider"/>.
    /// </summary>
    /// <value>The default value is 2 milliseconds. Must be at least zero and at most 1 minute.</value>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The most attempts that may wait for a slot at once; one more is refused at once. Null: as many as the limit at
    /// that moment, so the queue drains within about one service time at capacity.
    /// </summary>
    /// <value>The default value is null. When set, must be at least 1 and at most 65,535, with <see cref="MaxQueueWait"/> above zero.</value>
    public int? MaxQueueLength { get; set; }

    /// <summary>
    /// The statuses by which a server says it is overloaded: an attempt that ends with one while the limit is in use
    /// lowers an adaptive limit. Other failures say nothing of the load, and the caller's own cancellation and deadline
    /// never count.
    /// </summary>
    /// <value>The default value is {Unavailable, ResourceExhausted}. Must not be empty and must not contain OK or Cancelled.</value>
    public ISet<StatusCode> OverloadStatusCodes { get; set; } = new HashSet<StatusCode> { StatusCode.Unavailable, StatusCode.ResourceExhausted };

    /// <summary>Checks every setting and reports all invalid ones at once.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid; the message names each with its allowed range.</exception>
    public void Validate()
    {
        var problems = OptionsProblems.InCode();
        Validate(problems.Scope(nameof(ConcurrencyLimitOptions)));
        problems.ThrowIfAny(nameof(ConcurrencyLimitOptions));
    }

    /// <summary>Records every invalid setting in <paramref name="problems"/>, scoped to these options.</summary>
    internal void Validate(OptionsProblems problems)
    {
        problems.Check(Enum.IsDefined(Algorithm), nameof(Algorithm), Algorithm, "it must be Fixed, Aimd or Gradient");
        problems.Check(MinLimit >= 1, nameof(MinLimit), MinLimit, "it must be at least 1");
        problems.Check(
            MaxLimit >= Math.Max(1, MinLimit) && MaxLimit <= ushort.MaxValue, nameof(MaxLimit), MaxLimit, $"it must be at least {nameof(MinLimit)} ({MinLimit}) and at most 65535");
        problems.Check(
            InitialLimit is null ? Algorithm != ConcurrencyLimitAlgorithm.Fixed : InitialLimit >= MinLimit && InitialLimit <= MaxLimit,
            nameof(InitialLimit),
            InitialLimit,
            $"it must be between {nameof(MinLimit)} ({MinLimit}) and {nameof(MaxLimit)} ({MaxLimit}), and set for a Fixed limit");
        problems.Check(BackoffRatio is > 0 and < 1, nameof(BackoffRatio), BackoffRatio, "it must be greater than 0 and less than 1");
        problems.Check(LatencyTolerance is >= 1 and <= 10, nameof(LatencyTolerance), LatencyTolerance, "it must be at least 1 and at most 10");
        problems.Check(
            MaxQueueWait >= TimeSpan.Zero && MaxQueueWait <= TimeSpan.FromMinutes(1), nameof(MaxQueueWait), MaxQueueWait, "it must be at least zero and at most 1 minute");
        problems.Check(
            MaxQueueLength is null || (MaxQueueLength is >= 1 and <= ushort.MaxValue && MaxQueueWait > TimeSpan.Zero),
            nameof(MaxQueueLength),
            MaxQueueLength,
            $"it must be between 1 and 65535, with {nameof(MaxQueueWait)} above zero (nothing waits otherwise)");
        problems.CheckFailureStatusCodes(OverloadStatusCodes, nameof(OverloadStatusCodes));
    }
}
