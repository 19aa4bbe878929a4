namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>What a Polly pipeline reported through its telemetry: its attempts and its retries and timeouts.</summary>
/// <param name="Attempts">Attempts its retry strategy made (each a real send).</param>
/// <param name="HandledAttempts">Attempts its strategies treated as failures (the ones a retry or breaker acts on).</param>
/// <param name="Retries">Retries it scheduled (<c>OnRetry</c>).</param>
/// <param name="Timeouts">Attempts or executions its timeouts cut (<c>OnTimeout</c>).</param>
public readonly record struct PollyEventCounts(long Attempts, long HandledAttempts, long Retries, long Timeouts)
{
    /// <summary>What happened between <paramref name="earlier"/> and <paramref name="later"/>.</summary>
    public static PollyEventCounts operator -(PollyEventCounts later, PollyEventCounts earlier) => new(
        later.Attempts - earlier.Attempts,
        later.HandledAttempts - earlier.HandledAttempts,
        later.Retries - earlier.Retries,
        later.Timeouts - earlier.Timeouts);

    /// <summary>Subtracts <paramref name="earlier"/> from <paramref name="later"/>.</summary>
    public static PollyEventCounts Subtract(PollyEventCounts later, PollyEventCounts earlier) => later - earlier;
}
