namespace ResilientGrpc.Interceptors;

/// <summary>How a <see cref="ConcurrencyLimitInterceptor"/> sets its limit on attempts in flight.</summary>
public enum ConcurrencyLimitAlgorithm
{
    /// <summary>A fixed limit: <see cref="ConcurrencyLimitOptions.InitialLimit"/>, a bulkhead.</summary>
    Fixed,

    /// <summary>
    /// Additive increase, multiplicative decrease on overload: while the limit is in use, each answered attempt raises
    /// it by one, each attempt the server refuses for overload lowers it by <see cref="ConcurrencyLimitOptions.BackoffRatio"/>.
    /// It finds a shedding server's capacity; it does not see a queue grow.
    /// </summary>
    Aimd,

    /// <summary>
    /// The latency gradient (as Netflix concurrency-limits' Gradient2), plus the decrease of <see cref="Aimd"/> on
    /// overload: the limit follows the ratio of the long-term to the recent latency of answered attempts, so it shrinks
    /// as soon as a server starts queueing, and it backs off when the server refuses attempts for overload.
    /// </summary>
    Gradient,
}
