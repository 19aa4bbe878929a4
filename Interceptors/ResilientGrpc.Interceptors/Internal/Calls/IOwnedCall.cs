using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// A call kind that a layer making several attempts (the owner, with its <typeparamref name="TEngine"/>: retry,
/// hedging) makes of attempts: how such a call of that kind (<typeparamref name="TCall"/>) starts. Implemented by
/// empty structs, called on their default value (a static abstract generic method would be simpler, but the runtime's
/// constraint check rejects the invocation structs as its type arguments).
/// </summary>
internal interface IOwnedCall<TEngine, TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    /// <summary>
    /// Starts a call that makes its attempts through <paramref name="invocation"/>; <paramref name="found"/> is the
    /// call's context if a layer above made one.
    /// </summary>
    TCall Start<TInvocation>(
        TEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>;
}
