using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The circuit breaker's step of a composed call, or a plain pass to <typeparamref name="TInner"/> without one.</summary>
internal readonly struct BreakerStep<TRequest, TResponse, TCall, TInner>(CircuitBreakerInterceptor? breaker, TInner inner)
    : IInvocation<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TInner : struct, IInvocation<TRequest, TResponse, TCall>
{
    public static TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver => TInner.Observe(call, observer);

    public static TCall Fail(RpcException error) => TInner.Fail(error);

    public TCall Start(ClientInterceptorContext<TRequest, TResponse> context) =>
        breaker is null ? inner.Start(context) : breaker.Intercept<TRequest, TResponse, TCall, TInner>(context, inner);
}
