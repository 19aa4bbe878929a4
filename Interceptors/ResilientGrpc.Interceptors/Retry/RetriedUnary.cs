using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Async unary calls, retried by <see cref="RetryingUnaryCall{TRequest, TResponse, TInvocation}"/>.</summary>
internal readonly struct RetriedUnary<TRequest, TResponse> : IRetriedKind<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncUnaryCall<TResponse> Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        RetryingUnaryCall<TRequest, TResponse, TInvocation>.Start(engine, context, invocation);
}
