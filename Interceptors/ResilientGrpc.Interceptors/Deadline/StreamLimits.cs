namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>The limits a <see cref="StreamWatch"/> enforces on one stream; <see cref="Timeout.InfiniteTimeSpan"/> turns one off.</summary>
/// <param name="FirstResponse">The longest wait for the stream's first response (response headers or a message).</param>
/// <param name="Idle">The longest time without a message.</param>
internal readonly record struct StreamLimits(TimeSpan FirstResponse, TimeSpan Idle)
{
    public bool IsNone => FirstResponse == Timeout.InfiniteTimeSpan && Idle == Timeout.InfiniteTimeSpan;
}
