using System.Globalization;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Client.Scenario;

/// <summary>
/// The six phases of the demo. Chaos is seeded and calls are made one at a time, so every run sees the same
/// sequence of server decisions. Each phase before the outage ends with a successful call, so no streak of
/// failures carries over and the breaker opens in the outage only.
/// </summary>
internal static class DemoPhases
{
    /// <summary>The seed of the flaky phase: 16 calls in which some calls retry and succeed and one gives up.</summary>
    public const int FlakySeed = 1;

    /// <summary>The seed of the hanging phase: 8 calls of which 3 hang, never more than 2 in a row.</summary>
    public const int HangingSeed = 11;

    /// <summary>
    /// The seed of the hedged phase: 8 calls of which 3 hang at their first copy and are answered by hedge 2. Hedges
    /// draw from the same sequence as calls, so seed 11 would give two calls three hung copies in a row (a run of six
    /// hangs), which 40 % hangs and 3 attempts do to about 6 % of calls, not the 25 % seed 11 shows.
    /// </summary>
    public const int HedgedSeed = 71;

    public const int HealthyCalls = 6;
    public const int FlakyCalls = 16;
    public const double FlakyErrorRate = 0.35;
    public const int HangingCalls = 8;
    public const double HangRate = 0.4;

    /// <summary>The name of the phase that runs the hanging profile again with hedging on <c>Process</c>.</summary>
    public const string HedgedPhase = "hanging, hedged";

    /// <summary>Calls made after the circuit closes again, to show normal service.</summary>
    public const int CallsAfterRecovery = 4;

    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(15);

    public static IReadOnlyList<ScenarioPhase> Create(ScenarioTimings t, BreakerWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(watcher);
        var hang = Seconds(t.HangDuration);
        var deadline = Seconds(t.Deadline);
        var breakFor = Seconds(t.BreakDuration);
        var hedgeDelay = Seconds(t.HedgeDelay);
        var successesAtClose = -1;

        return
        [
            new ScenarioPhase(
                "healthy",
                "the server answers every call. Expect every call OK at its first attempt.",
                new ChaosOptions { Enabled = false },
                t.CallInterval,
                Limit(HealthyCalls * (t.CallInterval + t.Deadline)),
                p => p.Calls >= HealthyCalls),
            new ScenarioPhase(
                "flaky",
                $"{FlakyErrorRate:P0} of calls fail with UNAVAILABLE. Look for 'attempt 1/3 failed ... retrying in' "
                + $"about {Seconds(t.InitialBackoff)} s, then 'attempt 2/3' about {Seconds(t.InitialBackoff * 2)} s, "
                + "calls that succeed after a retry, and one call that gives up after 3 attempts.",
                new ChaosOptions { Enabled = true, ErrorRate = FlakyErrorRate, HangRate = 0, ErrorCodes = [StatusCode.Unavailable], Seed = FlakySeed },
                t.CallInterval,
                Limit(FlakyCalls * (t.CallInterval + (t.InitialBackoff * 3) + (t.Deadline * 3))),
                p => p.Calls >= FlakyCalls && p.LastSucceeded),
            new ScenarioPhase(
                "hanging",
                $"{HangRate:P0} of calls hang for {hang} s. Look for calls failing with DEADLINE_EXCEEDED after "
                + $"{deadline} s: the client does not wait {hang} s, and does not retry a call that timed out.",
                Hanging(t, HangingSeed),
                t.CallInterval,
                Limit(HangingCalls * (t.CallInterval + t.Deadline)),
                p => p.Calls >= HangingCalls && p.LastSucceeded),
            new ScenarioPhase(
                HedgedPhase,
                $"the same server, hanging {HangRate:P0} of calls for {hang} s, now with hedging on Process. Calls that hang "
                + $"get a second copy after {hedgeDelay} s and succeed: look for 'Process hedge 2/3 sent after {hedgeDelay} s' "
                + "and 'answered by hedge 2; 1 other attempt cancelled'. 'server received' counts every copy.",
                Hanging(t, HedgedSeed),
                t.CallInterval,
                Limit(HangingCalls * (t.CallInterval + t.Deadline)),
                p => p.Calls >= HangingCalls && p.LastSucceeded,
                Hedged: true),
            new ScenarioPhase(
                "outage",
                "every call fails with UNAVAILABLE. Look for 5 calls failing after their 3 attempts each, and the "
                + "circuit opening on the 15th failed attempt in a row; then calls "
                + $"are rejected at once and the server receives nothing. After {breakFor} s one probe goes through, "
                + "fails, and the circuit opens again.",
                new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, ErrorCodes = [StatusCode.Unavailable] },
                t.OpenCallInterval,
                Limit((t.BreakDuration * 2) + (t.InitialBackoff * 6) + (t.Deadline * 6)),
                // Over once a probe has failed: the circuit went from half-open back to open.
                _ => watcher.Transitions.Any(x => x is { From: CircuitState.HalfOpen, To: CircuitState.Open })),
            new ScenarioPhase(
                "recovery",
                $"the server is healthy again, but the circuit is still open: calls are rejected until the next probe, {breakFor} s "
                + "after the last one, succeeds and closes it.",
                new ChaosOptions { Enabled = false },
                t.OpenCallInterval,
                Limit((t.BreakDuration * 2) + ((t.OpenCallInterval + t.Deadline) * (CallsAfterRecovery + 2))),
                p =>
                {
                    // The successful probe closes the circuit; then a few more calls show normal service.
                    if (successesAtClose < 0 && watcher.CountInto(CircuitState.Closed) > 0)
                    {
                        successesAtClose = p.Succeeded;
                    }

                    return successesAtClose >= 0 && p.Succeeded - successesAtClose >= CallsAfterRecovery;
                }),
        ];

        static TimeSpan Limit(TimeSpan expected) => (expected * 3) + Slack;
    }

    /// <summary>The chaos of both hanging phases: the same hang rate and duration, each with its seed.</summary>
    private static ChaosOptions Hanging(ScenarioTimings t, int seed) =>
        new() { Enabled = true, ErrorRate = 0, HangRate = HangRate, HangDuration = t.HangDuration, Seed = seed };

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
