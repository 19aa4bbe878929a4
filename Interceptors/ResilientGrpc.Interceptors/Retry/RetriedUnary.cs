using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Async unary calls, retried by <see cref="RetryingUnaryCall{TRequest, TResponse}"/>.</summary>
internal readonly struct RetriedUnary<TRequest, TResponse> : IOwnedCall<RetryEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncUnaryCall<TResponse> Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        RetryingUnaryCall<TRequest, TResponse>.Start(engine, context, found, invocation);
}
