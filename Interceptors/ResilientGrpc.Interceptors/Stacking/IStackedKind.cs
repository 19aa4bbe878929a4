using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>
/// One call kind as a <see cref="ResilienceStack"/> runs it: which path of each pattern the kind takes. The circuit
/// breaker has one path for every kind. Implemented by empty structs, called on their default value (see
/// <see cref="IOwnedCall{TEngine, TRequest, TResponse, TCall}"/>).
/// </summary>
internal interface IStackedKind<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    /// <summary>The hedging layer's path for this kind.</summary>
    TCall Hedge<TNext>(HedgingInterceptor hedging, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall>;

    /// <summary>The retry layer's path for this kind.</summary>
    TCall Retry<TNext>(RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall>;

    /// <summary>The deadline layer's path for this kind.</summary>
    TCall Limit<TNext>(DeadlineInterceptor deadline, ClientInterceptorContext<TRequest, TResponse> context, TNext next)
        where TNext : struct, IInvocation<TRequest, TResponse, TCall>;
}
