using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Benchmarks.Hedging;

/// <summary>A hedging profile of part B: what the chaos server does to every attempt, for how long, and who runs it.</summary>
/// <param name="Name">The name <c>--profile</c> takes and the results files carry.</param>
/// <param name="Description">What the server does, in a few words.</param>
/// <param name="Duration">How long each contender's load lasts.</param>
/// <param name="Contenders">The contenders that run this profile, in order.</param>
/// <param name="Chaos">The server's chaos for a seed.</param>
/// <param name="OursHasBreaker">Whether ours runs with its circuit breaker in this profile.</param>
/// <param name="CallerDeadline">
/// Whether every caller sets the attempt deadline as its call's deadline (so every contender has the same bound); when
/// false, ours runs as the default stack does, each attempt under its own deadline and the call under none.
/// </param>
public sealed record HedgingProfile(
    string Name,
    string Description,
    TimeSpan Duration,
    IReadOnlyList<HedgingContender> Contenders,
    Func<int, ChaosOptions> Chaos,
    bool OursHasBreaker = true,
    bool CallerDeadline = true)
{
    /// <summary>How long a hang lasts: the library's 5 s scaled like the policy (×0.1).</summary>
    public static readonly TimeSpan HangDuration = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// 30 % of attempts hang for 500 ms, the others are served at once; 30 s. Each attempt's fate is drawn from the seed,
    /// its request id and how many attempts of that request came before, so every contender meets the same fates.
    /// </summary>
    public static HedgingProfile Hang { get; } = new(
        "hang",
        "30 % of attempts hang 500 ms, no errors",
        TimeSpan.FromSeconds(30),
        [HedgingContender.OursHedging, HedgingContender.PollyHedging, HedgingContender.GrpcHedging, HedgingContender.OursWithoutHedging],
        seed => new ChaosOptions
        {
            Enabled = true, ErrorRate = 0, HangRate = 0.3, HangDuration = HangDuration, Seed = seed, PerRequestDecisions = true,
        });

    /// <summary>
    /// Every attempt fails at once with <c>UNAVAILABLE</c> and the pushback <c>-1</c>, an overloaded server asking its
    /// clients to send no more hedges (gRFC A6); 10 s. Ours runs without its breaker here, so that only pushback can stop
    /// its hedges.
    /// </summary>
    public static HedgingProfile Pushback { get; } = new(
        "pushback",
        "every attempt fails UNAVAILABLE with grpc-retry-pushback-ms: -1",
        TimeSpan.FromSeconds(10),
        [HedgingContender.OursHedging, HedgingContender.PollyHedging, HedgingContender.GrpcHedging],
        seed => new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, Seed = seed, ErrorPushback = "-1" },
        OursHasBreaker: false);

    /// <summary>
    /// The hangs of <see cref="Hang"/> against ours as a user stacks it, the breaker on and no caller deadline: each
    /// attempt has its 200 ms, a call whose three hedges all hang fails when the last is cut (about 2.7 % of calls), and
    /// the breaker must not read those failed hedges, among the answers of every other call, as an outage; 30 s.
    /// </summary>
    public static HedgingProfile HangBreaker { get; } = new(
        "hang-breaker",
        "30 % of attempts hang 500 ms, no errors; ours with its breaker and no caller deadline",
        TimeSpan.FromSeconds(30),
        [HedgingContender.OursHedging, HedgingContender.OursWithoutHedging],
        Hang.Chaos,
        CallerDeadline: false);

    /// <summary>
    /// An outage: every attempt fails at once with <c>UNAVAILABLE</c>, no pushback; 8 s, as the outage phase of the flaky
    /// profiles. A hedged call sends its three hedges at once, one after another failure: the breaker must stop it as soon
    /// as it stops retried calls.
    /// </summary>
    public static HedgingProfile Outage { get; } = new(
        "outage-hedged",
        "every attempt fails UNAVAILABLE (an outage), no pushback; ours with its breaker and no caller deadline",
        TimeSpan.FromSeconds(8),
        [HedgingContender.OursHedging, HedgingContender.OursWithoutHedging],
        seed => new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, Seed = seed },
        CallerDeadline: false);

    /// <summary>Every hedging profile, in the order a run takes them.</summary>
    public static IReadOnlyList<HedgingProfile> All { get; } = [Hang, Pushback, HangBreaker, Outage];
}
