namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// AIMD with a latency gradient, after TCP Vegas, Netflix concurrency-limits' gradient limits and Envoy's adaptive
/// concurrency: a round in which the server refused attempts for overload because of the client's load multiplies the
/// limit by the backoff ratio, as AIMD does; a round in use whose median latency exceeds the tolerance × the server's
/// latency when not pushed (<see cref="ServerBaseline.Latency"/>), a queue building at the server, multiplies it by the
/// gradient baseline / median (at most the backoff ratio and at least 0.5), which is the limit less the queue's length
/// (Little's law), so that the queue drains; a limit in use otherwise grows (see <see cref="LimitAlgorithm"/>).
/// </summary>
internal sealed class GradientLimit(double backoffRatio, double tolerance) : LimitAlgorithm
{
    protected override double Cut(double limit, in LimitRound round)
    {
        if (Baseline.Overloaded(round))
        {
            return limit * backoffRatio;
        }

        var unqueued = Baseline.Latency;
        return round.InUse && unqueued > 0 && round.MedianLatency > tolerance * unqueued
            ? limit * Math.Clamp(unqueued / round.MedianLatency, 0.5, backoffRatio)
            : limit;
    }
}
