namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// Additive increase, multiplicative decrease, per round as TCP does per round trip: a round in which the server
/// refused attempts for overload because of the client's load (<see cref="ServerBaseline.Overloaded"/>) multiplies the
/// limit by the backoff ratio, and a limit in use grows (see <see cref="LimitAlgorithm"/>). Blind to latency: a server
/// that queues excess instead of refusing it gives no signal until deadlines expire.
/// </summary>
internal sealed class AimdLimit(double backoffRatio) : LimitAlgorithm
{
    protected override double Cut(double limit, in LimitRound round) => Baseline.Overloaded(round) ? limit * backoffRatio : limit;
}
