using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A server-streaming call: its request, and what starts it below (an interceptor's continuation, or a call invoker).</summary>
internal readonly struct ServerStreamingInvocation<TRequest, TResponse> : IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly TRequest request;
    private readonly Interceptor.AsyncServerStreamingCallContinuation<TRequest, TResponse>? continuation;
    private readonly CallInvoker? invoker;

    public ServerStreamingInvocation(TRequest request, Interceptor.AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        this.request = request;
        this.continuation = continuation;
    }

    public ServerStreamingInvocation(TRequest request, CallInvoker invoker)
    {
        this.request = request;
        this.invoker = invoker;
    }

    public static AsyncServerStreamingCall<TResponse> Observe<TObserver>(AsyncServerStreamingCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedServerStreamingCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncServerStreamingCall<TResponse> Fail(RpcException error) => FailedCall.ServerStreaming<TResponse>(error);

    public AsyncServerStreamingCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return invoker?.AsyncServerStreamingCall(context.Method, context.Host, context.Options, request) ?? continuation!(request, context);
    }
}
