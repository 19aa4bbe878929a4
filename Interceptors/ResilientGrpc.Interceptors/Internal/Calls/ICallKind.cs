using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>How to observe the end of a call of one kind (<typeparamref name="TCall"/>), and make one already failed.</summary>
internal interface ICallKind<TCall>
    where TCall : class
{
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

/// <summary>How an owner of several attempts starts a call of one kind: empty structs, called on their default value (see docs/architecture.md).</summary>
internal interface IOwnedCall<TEngine, TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    TCall Start<TInvocation>(
        TEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>;
}

/// <summary>An async unary call: its request, and what starts it below (an interceptor's continuation, or a call invoker).</summary>
internal readonly struct UnaryInvocation<TRequest, TResponse>(TRequest request, Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse>? continuation, CallInvoker? invoker = null)
    : IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse>? continuation =
        invoker is null ? continuation ?? throw new ArgumentNullException(nameof(continuation)) : null;

    public static AsyncUnaryCall<TResponse> Observe<TObserver>(AsyncUnaryCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedUnaryCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncUnaryCall<TResponse> Fail(RpcException error) => FailedCall.Unary<TResponse>(error);

    public AsyncUnaryCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return invoker?.AsyncUnaryCall(context.Method, context.Host, context.Options, request) ?? continuation!(request, context);
    }
}

/// <summary>A blocking unary call seen as an async one: each attempt runs the blocking call below to its end.</summary>
internal readonly struct BlockingInvocation<TRequest, TResponse>(
    TRequest request, Interceptor.BlockingUnaryCallContinuation<TRequest, TResponse>? continuation, CallInvoker? invoker = null)
    : IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    private static readonly Task<Metadata> NoHeaders = Task.FromResult(Metadata.Empty);
    private static readonly Func<Status> Ok = static () => Status.DefaultSuccess;
    private static readonly Func<Metadata> NoTrailers = static () => Metadata.Empty;
    private static readonly Action Nothing = static () => { };

    private readonly Interceptor.BlockingUnaryCallContinuation<TRequest, TResponse>? continuation =
        invoker is null ? continuation ?? throw new ArgumentNullException(nameof(continuation)) : null;

    public static AsyncUnaryCall<TResponse> Observe<TObserver>(AsyncUnaryCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedUnaryCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncUnaryCall<TResponse> Fail(RpcException error) => FailedCall.Unary<TResponse>(error);

    /// <summary>Blocks until <paramref name="call"/> has ended; every await below leaves the caller's synchronization context, so no deadlock.</summary>
    public static TResponse Wait(AsyncUnaryCall<TResponse> call)
    {
        using (call)
        {
            return call.ResponseAsync.GetAwaiter().GetResult();
        }
    }

    public AsyncUnaryCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        Task<TResponse> outcome;
        try
        {
            using var handing = AmbientCall.Hand(context.Options, context.Method);
            outcome = Task.FromResult(invoker is null ? continuation!(request, context) : invoker.BlockingUnaryCall(context.Method, context.Host, context.Options, request));
        }
        catch (Exception error)
        {
            outcome = Task.FromException<TResponse>(error);
            TaskFaults.ObserveEnded(outcome);
        }

        return new AsyncUnaryCall<TResponse>(outcome, NoHeaders, Ok, NoTrailers, Nothing);
    }
}

internal readonly struct ServerStreamingInvocation<TRequest, TResponse>(TRequest request, Interceptor.AsyncServerStreamingCallContinuation<TRequest, TResponse>? continuation, CallInvoker? invoker = null)
    : IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncServerStreamingCallContinuation<TRequest, TResponse>? continuation =
        invoker is null ? continuation ?? throw new ArgumentNullException(nameof(continuation)) : null;

    public static AsyncServerStreamingCall<TResponse> Observe<TObserver>(AsyncServerStreamingCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedServerStreamingCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncServerStreamingCall<TResponse> Fail(RpcException error) => FailedCall.ServerStreaming<TResponse>(error);

    public AsyncServerStreamingCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return invoker?.AsyncServerStreamingCall(context.Method, context.Host, context.Options, request) ?? continuation!(request, context);
    }
}

internal readonly struct ClientStreamingInvocation<TRequest, TResponse>(Interceptor.AsyncClientStreamingCallContinuation<TRequest, TResponse>? continuation, CallInvoker? invoker = null)
    : IInvocation<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncClientStreamingCallContinuation<TRequest, TResponse>? continuation =
        invoker is null ? continuation ?? throw new ArgumentNullException(nameof(continuation)) : null;

    public static AsyncClientStreamingCall<TRequest, TResponse> Observe<TObserver>(AsyncClientStreamingCall<TRequest, TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedClientStreamingCall<TRequest, TResponse, TObserver>.Wrap(call, observer);

    public static AsyncClientStreamingCall<TRequest, TResponse> Fail(RpcException error) => FailedCall.ClientStreaming<TRequest, TResponse>(error);

    public AsyncClientStreamingCall<TRequest, TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return invoker?.AsyncClientStreamingCall(context.Method, context.Host, context.Options) ?? continuation!(context);
    }
}

internal readonly struct DuplexStreamingInvocation<TRequest, TResponse>(Interceptor.AsyncDuplexStreamingCallContinuation<TRequest, TResponse>? continuation, CallInvoker? invoker = null)
    : IInvocation<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncDuplexStreamingCallContinuation<TRequest, TResponse>? continuation =
        invoker is null ? continuation ?? throw new ArgumentNullException(nameof(continuation)) : null;

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Observe<TObserver>(AsyncDuplexStreamingCall<TRequest, TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>.Wrap(call, observer);

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Fail(RpcException error) => FailedCall.DuplexStreaming<TRequest, TResponse>(error);

    public AsyncDuplexStreamingCall<TRequest, TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return invoker?.AsyncDuplexStreamingCall(context.Method, context.Host, context.Options) ?? continuation!(context);
    }
}
