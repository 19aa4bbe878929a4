namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// What the server does when the client is not pushing it: the share of attempts it refuses and its median latency, in
/// rounds in which the limit was not in use and the server refused nothing at a higher concurrency than it answered
/// (moving averages, a round weighing an eighth). A round is judged against them: refusals or latency well above them
/// are the client's own load, so the limit must come down. Under sustained overload no round is free of use, so the
/// baseline holds still instead of drifting with the queue.
/// </summary>
/// <remarks>
/// The latency is never taken below the lowest round median of the last 32 to 64 rounds (as TCP Vegas and BBR take the
/// lowest round trip), which also stands in before the first round free of use: a server that really became slower
/// raises even its best rounds, and so the baseline, within 64 rounds. Before the first round free of use, the refusal
/// share is taken as none. Used under the limiter's lock.
/// </remarks>
internal sealed class ServerBaseline
{
    private const double Weight = 1.0 / 8;
    private const int RoundsPerEpoch = 32;
    private double refusedShare;
    private double latency;
    private long currentMinimum = long.MaxValue;
    private long previousMinimum = long.MaxValue;
    private int roundsInEpoch;

    /// <summary>The median latency of the server when not pushed, in microseconds; 0 before any is known.</summary>
    public double Latency => Math.Max(latency, Math.Min(currentMinimum, previousMinimum) is var low && low != long.MaxValue ? low : 0);

    /// <summary>
    /// Whether <paramref name="round"/> shows the server refusing attempts for overload because of the client's load: more
    /// of them than chance allows at its baseline share (the expected count plus twice its standard deviation, plus one),
    /// and either at a higher concurrency than it answered the rest or at least half of them.
    /// </summary>
    public bool Overloaded(in LimitRound round)
    {
        var expected = refusedShare * round.Samples;
        return round.Refused > expected + (2 * Math.Sqrt(expected)) + 1
            && (round.RefusedAtHigherConcurrency || round.Refused * 2 >= round.Samples);
    }

    /// <summary>Learns from a round once it has been judged.</summary>
    public void Learn(in LimitRound round)
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

        if (round.InUse || round.RefusedAtHigherConcurrency)
        {
            return;
        }

        refusedShare += ((double)round.Refused / round.Samples - refusedShare) * Weight;
        if (round.MedianLatency > 0)
        {
            latency = latency == 0 ? round.MedianLatency : latency + ((round.MedianLatency - latency) * Weight);
        }
    }
}
