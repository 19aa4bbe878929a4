using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A client-streaming call: what starts it below (an interceptor's continuation, or a call invoker).</summary>
internal readonly struct ClientStreamingInvocation<TRequest, TResponse> : IInvocation<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncClientStreamingCallContinuation<TRequest, TResponse>? continuation;
    private readonly CallInvoker? invoker;

    public ClientStreamingInvocation(Interceptor.AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        this.continuation = continuation;
    }

    public ClientStreamingInvocation(CallInvoker invoker) => this.invoker = invoker;

    public static AsyncClientStreamingCall<TRequest, TResponse> Observe<TObserver>(AsyncClientStreamingCall<TRequest, TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedClientStreamingCall<TRequest, TResponse, TObserver>.Wrap(call, observer);

    public static AsyncClientStreamingCall<TRequest, TResponse> Fail(RpcException error) => FailedCall.ClientStreaming<TRequest, TResponse>(error);

    public AsyncClientStreamingCall<TRequest, TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return invoker?.AsyncClientStreamingCall(context.Method, context.Host, context.Options) ?? continuation!(context);
    }
}
