namespace ResilientGrpc.Interceptors.Internal;

/// <summary>A layer that learns an attempt's end from its owner (<see cref="CallAttempts.TryWatchAttempt"/>) instead of wrapping it.</summary>
internal interface IAttemptWatcher
{
    /// <summary>The attempt asked about with <paramref name="token"/> ended with <paramref name="error"/> (null: success).</summary>
    void OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken);
}
