using System.Globalization;
using ResilientGrpc.Benchmarks.Chaos;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// What the soak runs: a one-minute warm-up, then <see cref="Minutes"/> minutes of the same 60 s chaos cycle (10 s outage,
/// then 50 s of part B's <c>mixed</c> profile: 20 % <c>UNAVAILABLE</c>, 10 % hangs of 500 ms), at
/// <see cref="CallsPerSecond"/> calls started per second, one in <see cref="StreamEvery"/> of them a <c>Subscribe</c> stream.
/// The cycle lasts exactly a minute, so every minute's sample falls at the same point of it (the start of an outage).
/// </summary>
/// <param name="Minutes">How long the soak runs after the warm-up, in minutes.</param>
/// <param name="CallsPerSecond">The offered load: calls started per second, open loop.</param>
internal sealed record SoakScenario(int Minutes, int CallsPerSecond)
{
    /// <summary>One in this many calls is a server-streaming <c>Subscribe</c>; the others are unary <c>Process</c> calls.</summary>
    public const int StreamEvery = 20;

    /// <summary>The events each <c>Subscribe</c> asks for.</summary>
    public const int StreamEvents = 3;

    /// <summary>The server's pause between two events of a stream, in milliseconds.</summary>
    public const int StreamIntervalMs = 10;

    /// <summary>Gets the warm-up before the heap, thread and handle baseline is taken: one whole cycle.</summary>
    public static TimeSpan WarmUp { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets the length of one chaos cycle: an outage, then the flaky profile.</summary>
    public static TimeSpan Cycle { get; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets the outage at the start of every cycle.</summary>
    public static TimeSpan Outage { get; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the policy of the stack: the library's defaults ×0.1, as in part B.</summary>
    public PolicySettings Policy => PolicySettings.Chaos;

    /// <summary>Gets the most calls in flight; a call due beyond it is shed and counted (room for twice a second's calls).</summary>
    public int MaxInFlight => Math.Max(ChaosScenario.Default.MaxInFlight, 2 * CallsPerSecond);

    /// <summary>Gets the whole run: warm-up and soak.</summary>
    public TimeSpan Total => WarmUp + TimeSpan.FromMinutes(Minutes);

    /// <summary>Gets the longest a unary call may take under the policy, as part B computes it (960 ms for the default policy).</summary>
    public double UnaryBoundMs => ChaosReport.BoundMs(Contender.OursDefault, Part) ?? double.PositiveInfinity;

    /// <summary>Gets the longest a stream may take: the unary bound plus the server's pauses between its events.</summary>
    public double StreamBoundMs => UnaryBoundMs + ((StreamEvents - 1) * StreamIntervalMs);

    /// <summary>Part B's scenario with this load and policy, whose flaky phase the cycle reuses.</summary>
    private ChaosScenario Part => ChaosScenario.Default with
    {
        CallsPerSecond = CallsPerSecond, MaxInFlight = MaxInFlight, Policy = Policy, Profile = FlakyProfile.Mixed,
    };

    /// <summary>The server's chaos for the whole run: part B's flaky settings with an outage at the start of every cycle.</summary>
    public ChaosOptions Chaos()
    {
        var options = Part.ChaosFor(ChaosPhase.Flaky);
        options.OutageEvery = Cycle;
        options.OutageFor = Outage;
        return options;
    }

    /// <summary>One line on the load, the cycle and the policy.</summary>
    public string Describe()
    {
        var p = Policy;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{CallsPerSecond} calls/s (1 in {StreamEvery} a Subscribe stream of {StreamEvents} events, at most {MaxInFlight} in flight) for "
            + $"{WarmUp.TotalMinutes:0} min warm-up + {Minutes} min; cycle of {Cycle.TotalSeconds:0} s: {Outage.TotalSeconds:0} s outage, then "
            + $"{(Cycle - Outage).TotalSeconds:0} s {FlakyProfile.Mixed}, seed {Part.Seed}. Policy: {p.AttemptTimeout.TotalMilliseconds} ms attempt "
            + $"deadline, {p.MaxAttempts} attempts, {p.InitialBackoff.TotalMilliseconds} ms → {p.InitialBackoff.TotalMilliseconds * p.BackoffMultiplier} ms "
            + $"backoff, breaker {p.FailureThreshold} / {p.BreakDuration.TotalSeconds} s; bound {UnaryBoundMs:0} ms a unary call, {StreamBoundMs:0} ms a stream.");
    }
}
