namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// Learns that a call has failed for good: its last attempt failed and no retry followed. Implemented by the circuit
/// breaker, which counts failed calls apart from failed attempts; called by the retry interceptor above it through
/// the call's shared context.
/// </summary>
internal interface ICallFailureListener
{
    /// <summary>
    /// The call whose failed attempt was admitted in circuit period <paramref name="generation"/>, and whose first
    /// attempt the breaker admitted at <paramref name="callStart"/> (a <see cref="TimeProvider"/> timestamp), failed.
    /// </summary>
    void OnCallFailed(int generation, long callStart);
}
