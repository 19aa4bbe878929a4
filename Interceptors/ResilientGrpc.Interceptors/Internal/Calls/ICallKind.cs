using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>How to observe the end of a call of one kind, and make one already failed: so one generic path serves every kind.</summary>
/// <typeparam name="TCall">The call object: <c>AsyncUnaryCall&lt;T&gt;</c>, <c>AsyncServerStreamingCall&lt;T&gt;</c>, ...</typeparam>
internal interface ICallKind<TCall>
    where TCall : class
{
    /// <summary>Wraps <paramref name="call"/> so <paramref name="observer"/> learns once how it ended.</summary>
    static abstract TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver;

    static abstract TCall Fail(RpcException error);
}

/// <summary>A call to make and how to start it (or another attempt): small structs holding the request and continuation, free to pass.</summary>
internal interface IInvocation<TRequest, TResponse, TCall> : ICallKind<TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    TCall Start(ClientInterceptorContext<TRequest, TResponse> context);
}

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
