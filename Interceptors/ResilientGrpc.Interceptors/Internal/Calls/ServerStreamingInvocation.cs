using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A server-streaming call: its request, and what starts it below (an interceptor's continuation, or a call invoker).</summary>
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
