namespace ResilientGrpc.Interceptors.CircuitBreaker;

/// <summary>The <see cref="OpeningRule"/>'s verdict that the circuit must open: why, and after how many failures.</summary>
internal readonly record struct Opening(CircuitStateChangeReason Reason, int FailureCount);
