using System.Globalization;
using ResilientGrpc.Benchmarks.Contenders;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// The scripted run every contender of the overload profile goes through: a server of fixed capacity (<see cref="Handlers"/>
/// handlers, each busy <see cref="ServiceTime"/> per call) and an open-loop offered load of half its capacity for
/// <see cref="Before"/>, twice its capacity for <see cref="Overload"/>, and half again for <see cref="After"/>. Every
/// contender uses the library's default policy (<see cref="PolicySettings.Default"/>), not part B's ×0.1.
/// </summary>
public sealed record OverloadScenario(
    OverloadVariant Variant, int Handlers, TimeSpan ServiceTime, TimeSpan Before, TimeSpan Overload, TimeSpan After, int Seed)
{
    /// <summary>The share of capacity offered before and after the overload.</summary>
    public const double LowLoad = 0.5;

    /// <summary>The share of capacity offered during the overload.</summary>
    public const double HighLoad = 2.0;

    /// <summary>The most calls in flight at once: high enough that the offered load stays open loop (a call over it is not started, and counted).</summary>
    public const int MaxInFlight = 20_000;

    /// <summary>8 handlers × 20 ms (400 calls/s); 10 s at 0.5×, 20 s at 2×, 20 s at 0.5×; seed 42.</summary>
    public static OverloadScenario For(OverloadVariant variant) => new(
        variant, 8, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), 42);

    /// <summary>Gets the policy every contender is configured with: the library's defaults.</summary>
    public PolicySettings Policy { get; init; } = PolicySettings.Default;

    /// <summary>Gets the calls per second the server can serve: handlers ÷ service time.</summary>
    public double Capacity => Handlers / ServiceTime.TotalSeconds;

    public TimeSpan Total => Before + Overload + After;

    /// <summary>This scenario with every phase scaled by <paramref name="factor"/>; the rates and the policy stay.</summary>
    public OverloadScenario Scaled(double factor) => this with { Before = Before * factor, Overload = Overload * factor, After = After * factor };

    /// <summary>This scenario for repeated run <paramref name="run"/> (from 1): the seed moves on by one per run.</summary>
    public OverloadScenario ForRun(int run) => this with { Seed = Seed + run - 1 };

    /// <summary>When <paramref name="phase"/> starts, from the start of the run.</summary>
    public TimeSpan StartOf(OverloadPhase phase) => phase switch
    {
        OverloadPhase.Before => TimeSpan.Zero,
        OverloadPhase.Overload => Before,
        _ => Before + Overload,
    };

    /// <summary>The phase in force <paramref name="elapsed"/> after the start of the run.</summary>
    public OverloadPhase PhaseAt(TimeSpan elapsed) =>
        elapsed < Before ? OverloadPhase.Before : elapsed < Before + Overload ? OverloadPhase.Overload : OverloadPhase.After;

    /// <summary>The calls per second offered during <paramref name="phase"/>.</summary>
    public double RateOf(OverloadPhase phase) => Capacity * (phase == OverloadPhase.Overload ? HighLoad : LowLoad);

    /// <summary>When each call of the run is due, phase after phase, each phase's calls evenly spaced at its rate.</summary>
    public IReadOnlyList<TimeSpan> Schedule()
    {
        var due = new List<TimeSpan>();
        foreach (var phase in Enum.GetValues<OverloadPhase>())
        {
            var start = StartOf(phase);
            var length = phase switch { OverloadPhase.Before => Before, OverloadPhase.Overload => Overload, _ => After };
            var rate = RateOf(phase);
            for (var i = 0L; i / rate < length.TotalSeconds; i++)
            {
                due.Add(start + TimeSpan.FromSeconds(i / rate));
            }
        }

        return due;
    }

    /// <summary>The server's settings for the run: no injected errors or hangs, only the capacity of <see cref="Variant"/>.</summary>
    public ChaosOptions Chaos() => new()
    {
        Enabled = true,
        ErrorRate = 0,
        HangRate = 0,
        CapacityHandlers = Handlers,
        ServiceTime = ServiceTime,
        ServiceTimeVariation = Variant.Variation,
        Overflow = Variant.Overflow,
        Seed = Seed,
    };

    /// <summary>One line on the server, the load and the policy.</summary>
    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"Server {Handlers} handlers × {ServiceTime.TotalMilliseconds} ms = {Capacity:0} calls/s ({Variant}). "
        + $"Open-loop load {RateOf(OverloadPhase.Before):0}/s ({LowLoad}×) for {Before.TotalSeconds} s, {RateOf(OverloadPhase.Overload):0}/s ({HighLoad}×) "
        + $"for {Overload.TotalSeconds} s, {RateOf(OverloadPhase.After):0}/s for {After.TotalSeconds} s. "
        + $"Policy (the library's defaults): {Policy.AttemptTimeout.TotalSeconds} s deadline, {Policy.MaxAttempts} attempts, "
        + $"{Policy.InitialBackoff.TotalSeconds} s → {Policy.InitialBackoff.TotalSeconds * Policy.BackoffMultiplier} s backoff, "
        + $"breaker {Policy.FailureThreshold} / {Policy.BreakDuration.TotalSeconds} s.");
}
