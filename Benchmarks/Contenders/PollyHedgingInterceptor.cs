using Grpc.Core;
using Grpc.Core.Interceptors;
using Polly;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// Hedges each async unary call through a Polly hedging pipeline (<see cref="PollyHedgingPipeline"/>), the way a user
/// would combine Polly's hedging with gRPC: one small interceptor whose callback starts one real call per attempt.
/// </summary>
public sealed class PollyHedgingInterceptor(ResiliencePipeline<object> pipeline) : Interceptor
{
    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return new PollyHedgingUnaryCall<TRequest, TResponse>(pipeline, request, context, continuation).Start();
    }
}
