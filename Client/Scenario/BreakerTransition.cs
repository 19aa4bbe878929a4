using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Scenario;

/// <summary>One state change of the breaker, with the server's and the client's counts at that moment.</summary>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Reason">Why it changed.</param>
/// <param name="Timestamp">When, from <see cref="TimeProvider.GetTimestamp"/>.</param>
/// <param name="ServerReceived">The server's total call count at that moment.</param>
/// <param name="Rejected">The client's count of calls rejected by the breaker at that moment.</param>
internal sealed record BreakerTransition(
    CircuitState From,
    CircuitState To,
    CircuitStateChangeReason Reason,
    long Timestamp,
    long ServerReceived,
    long Rejected);
