namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// A layer below an owner of several attempts that learns how an attempt ended from the owner's report
/// (<see cref="CallAttempts.TryWatchAttempt"/>) instead of wrapping the attempt: the circuit breaker and the deadline's
/// log. Part of the contract of <see cref="CallAttempts"/>.
/// </summary>
internal interface IAttemptWatcher
{
    /// <summary>
    /// The attempt of <paramref name="call"/> this watcher asked about, with <paramref name="token"/>, ended with
    /// <paramref name="error"/> (null: success); <paramref name="callerToken"/> is its caller's token.
    /// </summary>
    void OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken);
}
