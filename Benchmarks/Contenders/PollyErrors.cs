using Grpc.Core;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>How the Polly contenders translate between an attempt's gRPC failure and Polly's errors, and back for the caller.</summary>
internal static class PollyErrors
{
    /// <summary>
    /// The error Polly should see for an attempt that threw <paramref name="failure"/>: a cancellation caused by Polly's own
    /// <paramref name="token"/> becomes an <see cref="OperationCanceledException"/>, which is all its timeout recognises.
    /// </summary>
    public static Exception FromAttempt(Exception failure, CancellationToken token) =>
        failure is RpcException { StatusCode: StatusCode.Cancelled } && token.IsCancellationRequested
            ? new OperationCanceledException(failure.Message, failure, token)
            : failure;

    /// <summary>The gRPC error a caller sees for Polly's final <paramref name="failure"/>, so callers see the same errors as with ours.</summary>
    public static RpcException ToRpc(Exception failure) => failure switch
    {
        RpcException rpc => rpc,
        TimeoutRejectedException => new RpcException(new Status(StatusCode.DeadlineExceeded, failure.Message, failure)),
        BrokenCircuitException => new RpcException(new Status(StatusCode.Unavailable, failure.Message, failure)),
        RateLimiterRejectedException => new RpcException(new Status(StatusCode.ResourceExhausted, failure.Message, failure)),
        OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, failure.Message, failure)),
        _ => new RpcException(new Status(StatusCode.Unknown, failure.Message, failure)),
    };
}
