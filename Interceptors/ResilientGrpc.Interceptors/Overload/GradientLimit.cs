namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// AIMD with a latency gradient, after TCP Vegas, Netflix concurrency-limits' gradient limits and Envoy's adaptive
/// concurrency: a round in which the server refused attempts for overload because of the client's load multiplies the
/// limit by the backoff ratio, as AIMD does; a round whose median latency exceeds the tolerance × the server's latency
/// when not pushed while the client pushes it (<see cref="ServerBaseline.Queued"/>), a queue building at the server,
/// multiplies it by the
/// gradient baseline / median (at most the backoff ratio and at least 0.5), which is the limit less the queue's length
/// (Little's law), so that the queue drains; a limit in use otherwise grows (see <see cref="LimitAlgorithm"/>). A queue
/// within the tolerance squared must show in two rounds in a row: the median of a round of 16 attempts whose service time varies by half its mean
/// exceeds a tolerance of 1.25 now and then by chance, and a cut on chance costs a server that sheds its excess the
/// goodput of the slots cut; a real queue persists. A cut never goes below the round's throughput × the baseline latency,
/// and a latency that does not fall after a cut, beyond a tenth and beyond chance, becomes the baseline.
/// </summary>
internal sealed class GradientLimit(double backoffRatio, double tolerance) : LimitAlgorithm
{
    // Only a cut of a quarter or more tests the baseline: it takes away enough of a queue of ours to show in the latency.
    private const double DeepCut = 0.75;
    private bool queuedBefore;
    private long cutAtMedian;
    private double cutAtError;

    protected override double Cut(double limit, in LimitRound round)
    {
        if (cutAtMedian > 0 && round.MedianLatency > 0)
        {
            // The round after a cut for a queue: a queue of ours drains when the limit comes down, so the latency falls.
            // If it did not fall by a tenth, or by more than chance moves a round's median (twice the standard error of
            // the two medians' difference: a varying service time makes the median of 16 stray by a third), the server
            // itself got slower than the baseline knew (a new service time, a cold cache, a deployment), and the latency
            // is the new baseline, not a queue to cut for: both rounds measured it, so it is their mean.
            double fell = cutAtMedian - round.MedianLatency;
            if (fell * 10 < cutAtMedian || fell * fell < 4 * ((cutAtError * cutAtError) + (round.MedianError * round.MedianError)))
            {
                Baseline.Relearn((cutAtMedian + round.MedianLatency) / 2);
            }

            cutAtMedian = 0;
        }

        if (Baseline.Overloaded(round))
        {
            queuedBefore = false;
            return limit * backoffRatio;
        }

        var queued = Baseline.Queued(round, tolerance);
        var cut = queued && (queuedBefore || Baseline.Queued(round, tolerance * tolerance));
        queuedBefore = queued && !cut;
        if (!cut)
        {
            return limit;
        }

        // Never below what the server answered in the round times its unloaded latency (its bandwidth-delay product, as
        // TCP BBR bounds what it sends): that many attempts keep it busy without a queue. A latency that rose while the
        // server kept answering as many attempts (the client's own scheduler, a noisy neighbour) is no queue of ours.
        // Little's law takes the mean latency: the baseline's median, scaled by the round's mean ÷ median.
        var served = round.Throughput * Baseline.Latency * round.Skew;
        var next = Math.Min(limit, Math.Max(limit * Math.Clamp(Baseline.Latency / round.MedianLatency, 0.5, backoffRatio), served));
        cutAtMedian = next <= limit * DeepCut ? round.MedianLatency : 0;
        cutAtError = round.MedianError;
        return next;
    }
}
