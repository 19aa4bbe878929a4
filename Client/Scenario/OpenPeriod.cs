namespace ResilientGrpc.Client.Scenario;

/// <summary>One stretch during which the breaker was open, and what happened meanwhile.</summary>
/// <param name="Duration">From opening to the half-open probe.</param>
/// <param name="Rejected">Calls the breaker rejected.</param>
/// <param name="ServerReceived">Calls the server received: zero when the breaker works.</param>
internal sealed record OpenPeriod(TimeSpan Duration, long Rejected, long ServerReceived);
