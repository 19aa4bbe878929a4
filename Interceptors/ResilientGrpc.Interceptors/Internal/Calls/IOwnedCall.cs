using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// How an owner of several attempts (retry, hedging) starts a call of one kind. Empty structs, called on their default
/// value: a static abstract generic method would be simpler, but the runtime rejects the invocation structs as its type arguments.
/// </summary>
internal interface IOwnedCall<TEngine, TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    /// <summary>Starts a call made of attempts through <paramref name="invocation"/>; <paramref name="found"/> is the context from above.</summary>
    TCall Start<TInvocation>(
        TEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>;
}
