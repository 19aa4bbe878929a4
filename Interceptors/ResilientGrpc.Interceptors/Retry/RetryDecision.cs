namespace ResilientGrpc.Interceptors.Retry;

/// <summary>What to do after a failed attempt: stop for a reason, or wait <see cref="Delay"/> and try again.</summary>
internal readonly record struct RetryDecision(RetryStopReason StopReason, TimeSpan Delay, bool IsPushback)
{
    public bool ShouldRetry => StopReason == RetryStopReason.None;

    public static RetryDecision Stop(RetryStopReason reason) => new(reason, TimeSpan.Zero, IsPushback: false);

    public static RetryDecision RetryAfter(TimeSpan delay, bool isPushback) => new(RetryStopReason.None, delay, isPushback);
}
