namespace ResilientGrpc.Interceptors.Internal;

/// <summary>A layer that deferred an attempt's failure (<see cref="CallAttempts.DeferFailure"/>) and hears if the call fails for good.</summary>
internal interface ICallFailureListener
{
    void OnCallFailed(int generation, long callStart);
}
