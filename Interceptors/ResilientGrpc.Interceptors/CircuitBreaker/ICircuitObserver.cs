namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Where a <see cref="CircuitStateController"/> reports what it did, outside its lock, on the thread that caused it.</summary>
internal interface ICircuitObserver
{
    /// <summary>A breaker changed state; called once per real transition.</summary>
    void OnTransition(in CircuitTransition transition);

    void OnRejected(in CircuitRejection rejection);
}
