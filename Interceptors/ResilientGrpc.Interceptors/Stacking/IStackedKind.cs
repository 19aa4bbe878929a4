using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>
/// Which path of each pattern a call kind takes in a <see cref="ResilienceStack"/> (the breaker has one for all). Empty
/// structs, called on their default value (see <see cref="IOwnedCall{TEngine, TRequest, TResponse, TCall}"/>).
/// </summary>
internal interface IStackedKind<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    TCall Hedge<TNext>(HedgingInterceptor hedging, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall>;

    TCall Retry<TNext>(RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall>;

    TCall Concurrency<TNext>(ConcurrencyLimitInterceptor limit, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall>;

    TCall Limit<TNext>(DeadlineInterceptor deadline, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall>;
}
