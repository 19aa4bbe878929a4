namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// A layer below an owner of several attempts that deferred an attempt's failure (<see cref="CallAttempts.DeferFailure"/>)
/// and learns from the owner when the call has failed for good: the circuit breaker, which counts failed calls apart
/// from failed attempts. Part of the contract of <see cref="CallAttempts"/>.
/// </summary>
internal interface ICallFailureListener
{
    /// <summary>
    /// The call failed for good. <paramref name="generation"/> is what the listener passed when it deferred the failure;
    /// <paramref name="callStart"/> is the call's stamped start (<see cref="CallAttempts.StampCallStart"/>).
    /// </summary>
    void OnCallFailed(int generation, long callStart);
}
