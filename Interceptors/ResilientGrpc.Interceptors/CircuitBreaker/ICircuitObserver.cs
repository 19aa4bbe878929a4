namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>Where a <see cref="CircuitStateController"/> reports what it did, outside its lock, on the thread that caused it.</summary>
internal interface ICircuitObserver
{
    void OnTransition(in CircuitTransition transition);

    void OnRejected(in CircuitRejection rejection);
}

/// <summary>One real state change of one breaker (null <paramref name="Key"/>: the single one), with the calls rejected since it left Closed.</summary>
internal readonly record struct CircuitTransition(
    string? Key,
    CircuitState From,
    CircuitState To,
    CircuitStateChangeReason Reason,
    int FailureCount,
    int RejectedCalls);

/// <summary>One call rejected without being sent; <paramref name="Ordinal"/> 1 is the first since the last transition (logged).</summary>
internal readonly record struct CircuitRejection(string? Key, CircuitState State, int Ordinal);
