using Grpc.Core;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Overload;

/// <summary>Names the end of a failed call: by the library's exception types first, then by their trailers, then by status.</summary>
internal static class OverloadOutcomes
{
    /// <summary>The trailer with which the circuit breaker marks its rejections.</summary>
    private const string CircuitTrailer = "resilientgrpc-circuit";

    public static OverloadOutcome Of(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is OverloadRejectedException || error.Trailers.Get(OverloadRejectedException.TrailerName) is not null)
        {
            return OverloadOutcome.RefusedLocally;
        }

        if (error is BrokenCircuitException || error.Trailers.Get(CircuitTrailer) is not null)
        {
            return OverloadOutcome.BreakerRejected;
        }

        return error.StatusCode switch
        {
            StatusCode.Unavailable => OverloadOutcome.ServerUnavailable,
            StatusCode.DeadlineExceeded => OverloadOutcome.DeadlineExceeded,
            _ => OverloadOutcome.OtherError,
        };
    }
}
