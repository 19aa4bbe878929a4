using System.Globalization;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>What the chaos server does to calls during the flaky phase (each call decided by one seeded draw).</summary>
/// <param name="Name">The name <c>--profile</c> takes and the results files carry.</param>
/// <param name="ErrorRate">The share of calls failed at once with <c>UNAVAILABLE</c>.</param>
/// <param name="HangRate">The share of calls that hang for <see cref="ChaosScenario.HangDuration"/> before they are served.</param>
public sealed record FlakyProfile(string Name, double ErrorRate, double HangRate)
{
    /// <summary>20 % <c>UNAVAILABLE</c> and 10 % hangs: failures a breaker sees as both errors and timeouts.</summary>
    public static FlakyProfile Mixed { get; } = new("mixed", 0.2, 0.1);

    /// <summary>25 % <c>UNAVAILABLE</c>, no hangs: every failure is fast and retryable.</summary>
    public static FlakyProfile Unavailable { get; } = new("unavailable", 0.25, 0);

    /// <summary>Every profile, in the order a run takes them.</summary>
    public static IReadOnlyList<FlakyProfile> All { get; } = [Mixed, Unavailable];

    /// <inheritdoc />
    public override string ToString() => HangRate > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Name}: {ErrorRate * 100:0} % Unavailable, {HangRate * 100:0} % hang {ChaosScenario.HangDuration.TotalMilliseconds} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{Name}: {ErrorRate * 100:0} % Unavailable, no hangs");
}
