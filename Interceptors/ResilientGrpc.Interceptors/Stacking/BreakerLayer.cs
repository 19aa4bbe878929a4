using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The circuit breaker's layer of a composed call, or nothing when the stack has no breaker.</summary>
internal readonly struct BreakerLayer<TRequest, TResponse, TCall>(CircuitBreakerInterceptor? breaker) : ILayer<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    public TCall Start<TInner>(ClientInterceptorContext<TRequest, TResponse> context, TInner inner)
        where TInner : struct, IInvocation<TRequest, TResponse, TCall> =>
        breaker is null ? inner.Start(context) : breaker.Intercept<TRequest, TResponse, TCall, TInner>(context, inner);
}
