using ResilientGrpc.Benchmarks.Contenders;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>
/// What every contender of a hedging profile runs: the profile, the load, the server's seed, the policy, and the two
/// settings hedging adds: the delay between hedges and the caller's deadline on every call.
/// </summary>
/// <param name="Profile">What the server does.</param>
/// <param name="Seed">The server's seed.</param>
public sealed record HedgingScenario(HedgingProfile Profile, int Seed)
{
    /// <summary>50 calls/s, the rate of the flaky profiles.</summary>
    public int CallsPerSecond { get; init; } = 50;

    /// <summary>At most 64 calls in flight.</summary>
    public int MaxInFlight { get; init; } = 64;

    /// <summary>The chaos policy: 200 ms attempt deadline, 3 attempts (so 2 hedges at most).</summary>
    public PolicySettings Policy { get; init; } = PolicySettings.Chaos;

    /// <summary>The hedge delay: 10 % of the attempt deadline (20 ms), the ratio of the library's default (200 ms of 2 s).</summary>
    public TimeSpan HedgeDelay => Policy.AttemptTimeout * 0.1;

    /// <summary>
    /// The deadline every caller sets on every call, for every contender: the attempt deadline (200 ms). grpc-dotnet has
    /// no attempt timeout, so a caller's deadline is its only bound; giving every contender the same one compares the
    /// hedging, not the bounds. Null when the profile runs ours as the default stack does, without one.
    /// </summary>
    public TimeSpan? CallerDeadline => Profile.CallerDeadline ? Policy.AttemptTimeout : null;
}
