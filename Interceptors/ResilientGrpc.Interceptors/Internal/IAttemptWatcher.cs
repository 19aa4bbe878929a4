namespace ResilientGrpc.Interceptors.Internal;

/// <summary>A layer that learns an attempt's end from its owner (<see cref="CallAttempts.TryWatchAttempt"/>) instead of wrapping it.</summary>
internal interface IAttemptWatcher
{
    void OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken);
}
