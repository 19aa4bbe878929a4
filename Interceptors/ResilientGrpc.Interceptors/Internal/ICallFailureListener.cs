namespace ResilientGrpc.Interceptors.Internal;

/// <summary>A layer that deferred an attempt's failure (<see cref="CallAttempts.DeferFailure"/>) and hears if the call fails for good.</summary>
internal interface ICallFailureListener
{
    /// <summary>The call failed for good: <paramref name="generation"/> as deferred, <paramref name="callStart"/> as stamped.</summary>
    void OnCallFailed(int generation, long callStart);
}
