using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A duplex-streaming call: what starts it below (an interceptor's continuation, or a call invoker).</summary>
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
