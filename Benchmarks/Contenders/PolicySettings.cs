namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// The one policy every contender is configured with: attempt deadline, attempts, backoff and breaker.
/// <see cref="Default"/> is the library's defaults; <see cref="Chaos"/> scales every duration by 0.1 so a chaos
/// run takes seconds instead of minutes.
/// </summary>
public sealed record PolicySettings(
    TimeSpan AttemptTimeout,
    int MaxAttempts,
    TimeSpan InitialBackoff,
    TimeSpan MaxBackoff,
    double BackoffMultiplier,
    int FailureThreshold,
    TimeSpan BreakDuration)
{
    /// <summary>How long a run of failed attempts must last before it opens our breaker (the library's default: 250 ms).</summary>
    public TimeSpan MinimumSilence { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The library's defaults: 2 s deadline, 3 attempts, 1 s → 2 s backoff (max 30 s), breaker 5 / 30 s.</summary>
    public static PolicySettings Default { get; } = new(
        TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 2, 5, TimeSpan.FromSeconds(30));

    /// <summary>The defaults with every duration ×0.1: 200 ms deadline, 100 ms → 200 ms backoff, breaker 5 / 3 s, its minimum silence 25 ms.</summary>
    public static PolicySettings Chaos { get; } = Default.Scaled(0.1);

    /// <summary>This policy with every duration multiplied by <paramref name="factor"/>.</summary>
    public PolicySettings Scaled(double factor) => this with
    {
        AttemptTimeout = AttemptTimeout * factor,
        InitialBackoff = InitialBackoff * factor,
        MaxBackoff = MaxBackoff * factor,
        BreakDuration = BreakDuration * factor,
        MinimumSilence = MinimumSilence * factor,
    };
}
