namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>
/// Where a <see cref="CircuitStateController"/> reports what it did: the hook for events, logs and metrics.
/// Both methods are called outside the controller's lock, on the thread that caused the change.
/// </summary>
internal interface ICircuitObserver
{
    /// <summary>A breaker changed state; called once per real transition.</summary>
    void OnTransition(in CircuitTransition transition);

    /// <summary>A breaker rejected a call.</summary>
    void OnRejected(in CircuitRejection rejection);
}
