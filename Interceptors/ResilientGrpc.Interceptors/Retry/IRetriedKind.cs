using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>A call kind the retry interceptor retries: how a retried call of that kind is started.</summary>
internal interface IRetriedKind<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    /// <summary>Starts a call that makes its attempts through <paramref name="invocation"/>.</summary>
    TCall Start<TInvocation>(RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>;
}
