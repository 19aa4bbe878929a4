using Grpc.Core;
using Grpc.Core.Interceptors;
using Polly;

namespace ResilientGrpc.Benchmarks.Contenders;

/// <summary>
/// Runs each async unary call through a Polly pipeline, the way users combine Polly with gRPC today: one small
/// interceptor. Written to be as cheap as Polly allows (pooled contexts, static callbacks with state, outcomes
/// instead of throws), so the comparison is fair to Polly.
/// </summary>
public sealed class PollyInterceptor(ResiliencePipeline pipeline) : Interceptor
{
    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return new PollyUnaryCall<TRequest, TResponse>(pipeline, request, context, continuation).Start();
    }
}
