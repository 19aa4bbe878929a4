using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>
/// The scripted run every contender goes through: load, phase lengths, the server's seed and its chaos in each phase
/// (the flaky phase's from <see cref="Profile"/>).
/// </summary>
public sealed record ChaosScenario(TimeSpan Flaky, TimeSpan Outage, TimeSpan Recovery, int CallsPerSecond, int MaxInFlight, int Seed)
{
    /// <summary>15 s flaky, 8 s outage, 10 s recovery at 50 calls/s, at most 64 in flight, seed 42.</summary>
    public static ChaosScenario Default { get; } = new(
        TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(10), 50, 64, 42);

    /// <summary>The hang length: the library's 5 s scaled like the policy (×0.1).</summary>
    public static TimeSpan HangDuration { get; } = TimeSpan.FromMilliseconds(500);

    public PolicySettings Policy { get; init; } = PolicySettings.Chaos;

    /// <summary>Gets what the server does during the flaky phase.</summary>
    public FlakyProfile Profile { get; init; } = FlakyProfile.Mixed;

    public TimeSpan Total => Flaky + Outage + Recovery;

    /// <summary>This scenario with every phase scaled by <paramref name="factor"/>.</summary>
    public ChaosScenario Scaled(double factor) => this with
    {
        Flaky = Flaky * factor,
        Outage = Outage * factor,
        Recovery = Recovery * factor,
    };

    /// <summary>
    /// This scenario for repeated run <paramref name="run"/> (from 1) under <paramref name="profile"/>: the seed moves on
    /// by one per run, so each run draws a new sequence of decisions and every contender of one run meets the same one.
    /// </summary>
    public ChaosScenario ForRun(int run, FlakyProfile profile) => this with { Seed = Seed + run - 1, Profile = profile };

    /// <summary>When <paramref name="phase"/> starts, from the start of the run.</summary>
    public TimeSpan StartOf(ChaosPhase phase) => phase switch
    {
        ChaosPhase.Flaky => TimeSpan.Zero,
        ChaosPhase.Outage => Flaky,
        _ => Flaky + Outage,
    };

    /// <summary>The phase in force <paramref name="elapsed"/> after the start of the run.</summary>
    public ChaosPhase PhaseAt(TimeSpan elapsed) =>
        elapsed < Flaky ? ChaosPhase.Flaky : elapsed < Flaky + Outage ? ChaosPhase.Outage : ChaosPhase.Recovery;

    /// <summary>The server's chaos settings during <paramref name="phase"/>.</summary>
    public ChaosOptions ChaosFor(ChaosPhase phase) => phase switch
    {
        ChaosPhase.Flaky => new ChaosOptions
        {
            Enabled = true, ErrorRate = Profile.ErrorRate, HangRate = Profile.HangRate, HangDuration = HangDuration, Seed = Seed,
        },
        // An outage window that lasts longer than the run: Apply restarts the outage clock, so it begins now.
        ChaosPhase.Outage => new ChaosOptions
        {
            Enabled = true, ErrorRate = 0, HangRate = 0, HangDuration = HangDuration, Seed = Seed,
            OutageEvery = TimeSpan.FromHours(2), OutageFor = TimeSpan.FromHours(1),
        },
        _ => new ChaosOptions { Enabled = false },
    };
}
