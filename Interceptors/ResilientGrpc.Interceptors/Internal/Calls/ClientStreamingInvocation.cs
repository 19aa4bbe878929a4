using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A client-streaming call: what starts it below (an interceptor's continuation, or a call invoker).</summary>
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
