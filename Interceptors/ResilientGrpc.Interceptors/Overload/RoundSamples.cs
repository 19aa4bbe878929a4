namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// Collects the attempts of the current <see cref="LimitRound"/>: how many ended, how many were in flight when each
/// was admitted, summed apart for those the server answered and those it refused for overload, whether it answered one
/// that used the limit, and the latencies of the first answered ones for the median. Used under the limiter's lock.
/// </summary>
internal sealed class RoundSamples
{
    /// <summary>The fewest attempts in a round, so that its median and its share of refusals mean something.</summary>
    public const int MinimumSamples = 16;

    private const int KeptLatencies = 64;
    private readonly long[] latencies = new long[KeptLatencies];
    private int samples;
    private int kept;
    private bool inUse;
    private int peakInFlight;
    private int target = MinimumSamples;
    private long firstEnded;
    private long lastEnded;
    private InFlightSum answered;
    private InFlightSum refused;

    /// <summary>Whether the round has the attempts it needs: as many as were in flight when it began (a round trip's worth), and at least 16.</summary>
    public bool IsComplete => samples >= target;

    /// <summary>
    /// Adds an attempt that ended at <paramref name="ended"/> (microseconds on the limiter's clock) after
    /// <paramref name="latency"/> microseconds, refused for overload or answered,
    /// admitted with <paramref name="inFlight"/> attempts in flight, itself included, under a limit of <paramref name="limit"/>.
    /// </summary>
    public void Add(long ended, long latency, bool overloaded, int inFlight, int limit)
    {
        if (samples++ == 0)
        {
            firstEnded = ended;
        }

        lastEnded = ended;
        peakInFlight = Math.Max(peakInFlight, inFlight);
        if (overloaded)
        {
            refused.Add(inFlight);
            return;
        }

        answered.Add(inFlight);
        inUse |= inFlight * 2 >= limit;
        if (kept < KeptLatencies)
        {
            latencies[kept++] = Math.Max(1, latency);
        }
    }

    /// <summary>
    /// Ends the round: what it showed, and a new round begins, with <paramref name="inFlight"/> attempts in flight;
    /// <paramref name="untimedAnswered"/> attempts that were not timed ended answered since the last round closed.
    /// </summary>
    public LimitRound Close(int inFlight, int untimedAnswered = 0)
    {
        var span = lastEnded - firstEnded;
        var throughput = span > 0 ? Math.Max(0, answered.Count + untimedAnswered - 1) / (double)span : 0;
        target = Math.Max(MinimumSamples, inFlight);
        var median = 0L;
        var skew = 1.0;
        var medianError = 0.0;
        if (kept > 0)
        {
            var answered = latencies.AsSpan(0, kept);
            answered.Sort();
            median = answered[kept / 2];
            var sum = 0L;
            foreach (var latency in answered)
            {
                sum += latency;
            }

            skew = (double)sum / kept / median;
            medianError = 0.93 * (answered[3 * kept / 4] - answered[kept / 4]) / Math.Sqrt(kept);
        }

        var round = new LimitRound(
            samples, refused.Count, InFlightSum.RefusedAtHigher(refused, answered), inUse, peakInFlight, median, throughput, skew, medianError);
        samples = kept = peakInFlight = 0;
        inUse = false;
        answered = refused = default;
        return round;
    }

    /// <summary>The count, sum and sum of squares of the in-flight counts of a group of attempts.</summary>
    private struct InFlightSum
    {
        private double sum;
        private double squares;

        public int Count { get; private set; }

        public void Add(int inFlight)
        {
            Count++;
            sum += inFlight;
            squares += (double)inFlight * inFlight;
        }

        /// <summary>
        /// Whether attempts were refused at a higher concurrency than <paramref name="answered"/> ones beyond chance: the
        /// difference of the means exceeds half an attempt and twice its standard error (pooled variance, as Student's
        /// t-test), or none was answered.
        /// </summary>
        public static bool RefusedAtHigher(in InFlightSum refused, in InFlightSum answered)
        {
            if (refused.Count == 0 || answered.Count == 0)
            {
                return refused.Count > 0;
            }

            var difference = (refused.sum / refused.Count) - (answered.sum / answered.Count);
            var deviations = refused.squares - (refused.sum * refused.sum / refused.Count) + answered.squares - (answered.sum * answered.sum / answered.Count);
            var pooled = deviations / Math.Max(1, refused.Count + answered.Count - 2);
            var error = Math.Sqrt(pooled * ((1.0 / refused.Count) + (1.0 / answered.Count)));
            return difference > Math.Max(0.5, 2 * error);
        }
    }
}
