using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>A blocking unary call, run as an async one (<see cref="BlockingInvocation{TRequest, TResponse}"/>): never hedged, so retried even for a hedged method, and given a deadline.</summary>
internal readonly struct StackedBlocking<TRequest, TResponse> : IStackedKind<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncUnaryCall<TResponse> Hedge<TNext>(HedgingInterceptor hedging, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        hedging.Calls.Passed<TRequest, TResponse, AsyncUnaryCall<TResponse>, TNext>(context, next);

    public AsyncUnaryCall<TResponse> Retry<TNext>(RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        retry.Unary(context, next, hedgeable: false);

    public AsyncUnaryCall<TResponse> Concurrency<TNext>(ConcurrencyLimitInterceptor limit, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        limit.Intercept<TRequest, TResponse, AsyncUnaryCall<TResponse>, TNext>(context, next);

    public AsyncUnaryCall<TResponse> Limit<TNext>(DeadlineInterceptor deadline, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        deadline.Unary(context, next);
}
