namespace ResilientGrpc.Interceptors.Overload;

/// <summary>
/// What the attempts that ended during one round of a concurrency limit showed: as many attempts as were in flight, so
/// about one round trip of the server, and at least 16.
/// </summary>
/// <param name="Samples">The attempts that ended in the round.</param>
/// <param name="Refused">Those the server refused for overload (a status among the overload statuses).</param>
/// <param name="RefusedAtHigherConcurrency">
/// Whether the server refused them when more attempts were in flight than when it answered the rest: the refused
/// attempts were admitted at a higher mean concurrency, beyond chance (by more than half an attempt and twice the
/// standard error), or none was answered. A server that fails a share of attempts at random fails them at the same
/// concurrency as it answers the rest.
/// </param>
/// <param name="InUse">
/// Whether the server answered an attempt admitted while at least half the limit was in flight: whether the client
/// pushed its limit in this round, or showed what the server does when it is not pushed.
/// </param>
/// <param name="PeakInFlight">The most attempts in flight when one of the round's was admitted, itself included.</param>
/// <param name="MedianLatency">
/// The median latency of the answered attempts, in microseconds (at least 1); 0 when none answered. The median, so that
/// a few hung attempts or a varying service time do not read as a queue.
/// </param>
/// <param name="Throughput">
/// The answered attempts per microsecond, from the first to the last attempt that ended in the round, those that were
/// not timed included; 0 when fewer than two were answered.
/// </param>
/// <param name="Skew">The mean latency of the answered attempts ÷ their median (1 when none); 1.44 for an exponential service time.</param>
/// <param name="MedianError">
/// The standard error of <paramref name="MedianLatency"/>, in microseconds, from the spread of the answered latencies:
/// 0.93 × their interquartile range ÷ √n (exact for a normal spread). About 5 ms for 16 attempts of an exponential
/// service time of 20 ms, 0 for a constant one: how far the median of the next round may stray by chance alone.
/// </param>
internal readonly record struct LimitRound(
    int Samples, int Refused, bool RefusedAtHigherConcurrency, bool InUse, int PeakInFlight, long MedianLatency, double Throughput = 0, double Skew = 1, double MedianError = 0);
