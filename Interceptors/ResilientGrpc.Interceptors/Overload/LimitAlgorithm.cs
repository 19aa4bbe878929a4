namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// How a concurrency limit moves at the end of each <see cref="LimitRound"/>. Called under the limiter's lock, one round
/// at a time. The algorithms differ in what calls for a cut; what the server does when not pushed (the
/// <see cref="ServerBaseline"/>) and the growth are shared, and a cut starts from the attempts in flight when the limit
/// is above them, so that a limit that starts high (at <see cref="ConcurrencyLimitOptions.MaxLimit"/> by default) comes
/// down to the server's capacity in a few rounds.
/// </summary>
/// <remarks>
/// A limit in use grows by one a round, as TCP's congestion window does per round trip, with two exceptions. Near the
/// limit of the last cut it grows by one every 8 rounds, since that is where the server could not keep up: a server
/// that refuses excess at once turns every slot above its capacity into a stream of refusals, so probing there must be
/// rare (TCP CUBIC's plateau). After 12 rounds without a cut it grows by a quarter each round (a slow start, as at the
/// start), so that a client whose load rises, or comes back after an overload, while the server keeps up does not wait
/// a round per attempt it needs; a quarter, not TCP's doubling, so that the queue one round of it can build at a
/// server that queues stays short.
/// </remarks>
internal abstract class LimitAlgorithm
{
    private const int RoundsToSlowStart = 12;
    private const int RoundsPerProbe = 8;
    private const double SlowStartGrowth = 1.25;
    private int roundsSinceCut = RoundsToSlowStart;
    private double lastCutFrom;

    /// <summary>What the server does when not pushed.</summary>
    protected ServerBaseline Baseline { get; } = new();

    /// <summary>The algorithm <paramref name="options"/> select.</summary>
    public static LimitAlgorithm For(ConcurrencyLimitOptions options) => options.Algorithm switch
    {
        ConcurrencyLimitAlgorithm.Aimd => new AimdLimit(options.BackoffRatio),
        ConcurrencyLimitAlgorithm.Gradient => new GradientLimit(options.BackoffRatio, options.LatencyTolerance),
        _ => new FixedLimit(),
    };

    /// <summary>Whether the baseline has learned from enough rounds in which the client did not push the server.</summary>
    public bool BaselineKnown => Baseline.Known;

    /// <summary>Whether the limit never moves, so rounds need not be collected.</summary>
    public virtual bool IsFixed => false;

    /// <summary>The limit after <paramref name="round"/>, from <paramref name="limit"/>; the limiter clamps it.</summary>
    public double Next(double limit, in LimitRound round)
    {
        // A cut starts from what was in flight, not from a limit far above it that nothing used.
        var from = Math.Min(limit, Math.Max(1, round.PeakInFlight));
        var cut = Cut(from, round);
        Baseline.Learn(round, cut < from);
        if (cut < from)
        {
            roundsSinceCut = 0;
            lastCutFrom = limit;
            return cut;
        }

        roundsSinceCut = Math.Min(roundsSinceCut + 1, RoundsToSlowStart);
        if (!round.InUse)
        {
            return limit;
        }

        if (roundsSinceCut == RoundsToSlowStart)
        {
            return limit * SlowStartGrowth;
        }

        return limit + 1 < lastCutFrom || roundsSinceCut % RoundsPerProbe == 0 ? limit + 1 : limit;
    }

    /// <summary>The limit after <paramref name="round"/> if it calls for a cut; <paramref name="limit"/> otherwise.</summary>
    protected abstract double Cut(double limit, in LimitRound round);
}
