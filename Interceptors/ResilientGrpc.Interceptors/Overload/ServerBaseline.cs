namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// What the server does when the client is not pushing it: the share of attempts it refuses, its median latency and the
/// attempts in flight then, learned from rounds in which the limit was not in use and that showed no overload (moving
/// averages, a round weighing an eighth). A round is judged against them: refusals or latency well above them, when the
/// client pushes its limit or more attempts than then, are the client's own load, so the limit must come down. Under
/// sustained overload no round is free of it, so the baseline holds still instead of drifting with the queue.
/// </summary>
/// <remarks>
/// The latency is never taken below the lowest round median of the last 32 to 64 rounds (as TCP Vegas and BBR take the
/// lowest round trip), which also stands in before the baseline has learned any: a server that really became slower
/// raises even its best rounds, and so the baseline, within 64 rounds. Until four rounds have taught the baseline its
/// refusal share, only a round three quarters refused is taken for overload. Used under the limiter's lock.
/// </remarks>
internal sealed class ServerBaseline
{
    private const double Weight = 1.0 / 8;
    private const int RoundsPerEpoch = 32;
    private const int RoundsToLearn = 4;

    // A queue of less than 5 ms is not told from a loaded client's own timer and scheduler noise, which is of that order
    // against a server that answers in a millisecond; waiting that long is not worth a cut either.
    private const long MinimumQueueMicroseconds = 5_000;

    // How many standard errors of a round's median a queue must show above the baseline: a service time that varies makes
    // the median of a round of 16 stray by a third now and then, and at three standard errors a round does so by chance
    // about once in 700; a queue of ours grows by a service time per attempt over capacity, well beyond it.
    private const double QueueSignificance = 3;
    private double refusedShare;
    private double latency;
    private double inFlight;
    private int learned;
    private long currentMinimum = long.MaxValue;
    private long previousMinimum = long.MaxValue;
    private int roundsInEpoch;

    /// <summary>Whether as many rounds as make an epoch of its lowest latency (32) have taught the baseline.</summary>
    public bool Known => learned >= RoundsPerEpoch;

    /// <summary>The median latency of the server when not pushed, in microseconds; 0 before any is known.</summary>
    public double Latency => Math.Max(latency, Math.Min(currentMinimum, previousMinimum) is var low && low != long.MaxValue ? low : 0);

    /// <summary>
    /// Whether <paramref name="round"/> shows the server refusing attempts for overload because of the client's load: more
    /// of them than chance allows at its baseline share (the expected count plus twice its standard deviation, plus an
    /// eighth of the round: a server that sheds its excess refuses a few attempts whenever the limit probes above its
    /// capacity, and those cost less than the slots a cut leaves idle),
    /// and, once the baseline has learned its share, at a higher concurrency than it answered the rest, or at least half of
    /// them and more than three standard deviations above the share (no concurrency shows in the refusals of a server that
    /// sheds at a constant service time); before that, three quarters of them.
    /// </summary>
    public bool Overloaded(in LimitRound round)
    {
        var expected = refusedShare * round.Samples;
        var spread = Math.Sqrt(expected);
        return round.Refused > expected + (2 * spread) + Math.Max(1, round.Samples / 8)
            && (learned >= RoundsToLearn
                ? round.RefusedAtHigherConcurrency || (round.Refused * 2 >= round.Samples && round.Refused > expected + (3 * spread) + 1)
                : round.Refused * 4 >= round.Samples * 3);
    }

    /// <summary>
    /// Whether <paramref name="round"/> shows a queue the client builds at the server: its median latency above
    /// <paramref name="tolerance"/> × the baseline's, and above it by at least 5 ms and three standard errors of the median
    /// (<see cref="LimitRound.MedianError"/>), while the client pushed its limit or had more attempts in flight than the
    /// baseline's rounds had.
    /// </summary>
    public bool Queued(in LimitRound round, double tolerance) =>
        Latency > 0 && round.MedianLatency > tolerance * Latency
        && round.MedianLatency - Latency >= Math.Max(MinimumQueueMicroseconds, QueueSignificance * round.MedianError)
        && (round.InUse || round.PeakInFlight > inFlight);

    /// <summary>
    /// Takes <paramref name="medianLatency"/> for the server's latency when not pushed: the limit came down and the
    /// latency stayed, so the server is slower than the baseline knew, not queueing the client's attempts.
    /// </summary>
    public void Relearn(long medianLatency)
    {
        latency = medianLatency;
        currentMinimum = previousMinimum = medianLatency;
        roundsInEpoch = 0;
    }

    /// <summary>Learns from a round once it has been judged; <paramref name="cut"/> says whether it called for a cut.</summary>
    public void Learn(in LimitRound round, bool cut)
    {
        if (round.MedianLatency > 0)
        {
            currentMinimum = Math.Min(currentMinimum, round.MedianLatency);
        }

        if (++roundsInEpoch == RoundsPerEpoch)
        {
            previousMinimum = currentMinimum;
            currentMinimum = long.MaxValue;
            roundsInEpoch = 0;
        }

        if (cut || round.InUse || round.RefusedAtHigherConcurrency)
        {
            return;
        }

        // A round here had an answer, so a median: one with none was refused whole, which counts as at a higher concurrency.
        learned++;
        refusedShare += ((double)round.Refused / round.Samples - refusedShare) * Weight;
        inFlight = learned == 1 ? round.PeakInFlight : inFlight + ((round.PeakInFlight - inFlight) * Weight);
        latency = latency == 0 ? round.MedianLatency : latency + ((round.MedianLatency - latency) * Weight);
    }
}
