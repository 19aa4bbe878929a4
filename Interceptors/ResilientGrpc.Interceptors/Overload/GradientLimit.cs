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
/// goodput of the slots cut; a real queue persists.
/// </summary>
internal sealed class GradientLimit(double backoffRatio, double tolerance) : LimitAlgorithm
{
    private bool queuedBefore;

    protected override double Cut(double limit, in LimitRound round)
    {
        if (Baseline.Overloaded(round))
        {
            queuedBefore = false;
            return limit * backoffRatio;
        }

        var queued = Baseline.Queued(round, tolerance);
        var cut = queued && (queuedBefore || Baseline.Queued(round, tolerance * tolerance));
        queuedBefore = queued && !cut;
        return cut ? limit * Math.Clamp(Baseline.Latency / round.MedianLatency, 0.5, backoffRatio) : limit;
    }
}
