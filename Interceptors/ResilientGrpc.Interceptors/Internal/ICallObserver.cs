namespace ResilientGrpc.Interceptors.Internal;

/// <summary>Learns how one call ended; small structs held inline by the observed-call wrappers, so it costs no allocation.</summary>
internal interface ICallObserver
{
    /// <summary>The call ended (<paramref name="error"/> null: OK); <paramref name="readToken"/> is that of the read that saw it, if any.</summary>
    void OnEnded(Exception? error, CancellationToken readToken);

    /// <summary>The caller disposed the call before its final status was known.</summary>
    void OnAbandoned();
}
