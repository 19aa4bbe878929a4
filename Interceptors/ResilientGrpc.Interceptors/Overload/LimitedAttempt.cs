using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Overload;

/// <summary>Frees an attempt's slot in its concurrency limit when the wrapper that observes it sees it end.</summary>
internal readonly struct LimitedAttempt(ConcurrencyLimiter limiter, long token, CancellationToken callerToken) : ICallObserver
{
    public void OnEnded(Exception? error, CancellationToken readToken) => limiter.Release(token, error, callerToken, readToken);

    public void OnAbandoned() => limiter.Abandon();

    /// <summary>The call below threw instead of starting: its slot is free. False, for use as an exception filter.</summary>
    public bool LocalError()
    {
        limiter.Abandon();
        return false;
    }
}
