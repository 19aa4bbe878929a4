namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// Learns how one call ended. Implemented by small structs (the breaker's outcome report, the telemetry record)
/// that the observed-call wrappers hold inline, so observing a call costs no allocation beyond the wrapper.
/// </summary>
internal interface ICallObserver
{
    /// <summary>
    /// The call ended: <paramref name="error"/> is null for success (status OK). <paramref name="readToken"/> is the
    /// token of the stream read that saw the end, if a read did.
    /// </summary>
    void OnEnded(Exception? error, CancellationToken readToken);

    /// <summary>The caller disposed the call before its final status was known.</summary>
    void OnAbandoned();
}
