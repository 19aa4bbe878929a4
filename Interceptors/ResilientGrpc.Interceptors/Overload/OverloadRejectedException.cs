using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// The error of a call that a layer of ours refused for overload without sending it: status
/// <see cref="StatusCode.ResourceExhausted"/> and the trailer <c>resilientgrpc-overload</c> naming the layer. The server
/// never saw it, so neither the circuit breaker nor outlier detection counts it against the server, and it is never
/// retried (a retry would only add to the load it was refused for).
/// </summary>
public sealed class OverloadRejectedException : RpcException, INonRetryableError
{
    /// <summary>The trailer that names the layer that refused the call.</summary>
    public const string TrailerName = "resilientgrpc-overload";

    /// <summary>Creates the error of a call refused by <paramref name="reason"/>'s layer, saying why in <paramref name="detail"/>.</summary>
    /// <param name="reason">The layer that refused the call.</param>
    /// <param name="detail">Why, in words (the status detail).</param>
    public OverloadRejectedException(OverloadRejectionReason reason, string detail)
        : base(new Status(StatusCode.ResourceExhausted, detail), new Metadata { { TrailerName, NameOf(reason) } }) => Reason = reason;

    /// <summary>The layer that refused the call.</summary>
    public OverloadRejectionReason Reason { get; }

    /// <summary>The trailer value and metric tag of <paramref name="reason"/>: <c>concurrency_limit</c> or <c>adaptive_throttling</c>.</summary>
    internal static string NameOf(OverloadRejectionReason reason) =>
        reason == OverloadRejectionReason.ConcurrencyLimit ? "concurrency_limit" : "adaptive_throttling";
}
