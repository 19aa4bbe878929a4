using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>A layer below ours whose unary calls throw instead of starting, as a disposed channel's do.</summary>
internal sealed class ThrowingInterceptor : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        throw new ObjectDisposedException("channel");
}
