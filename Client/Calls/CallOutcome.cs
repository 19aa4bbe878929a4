using Grpc.Core;

namespace ResilientGrpc.Client.Calls;

/// <summary>How one call ended, as its caller saw it.</summary>
/// <param name="Status">The final status; <see cref="StatusCode.OK"/> for a success.</param>
/// <param name="RejectedByBreaker">Whether the circuit breaker failed the call at once (a <c>BrokenCircuitException</c>).</param>
/// <param name="Elapsed">How long the caller waited, retries and backoff included.</param>
internal readonly record struct CallOutcome(StatusCode Status, bool RejectedByBreaker, TimeSpan Elapsed)
{
    public bool Succeeded => Status == StatusCode.OK;
}
