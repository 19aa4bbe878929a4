using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A duplex-streaming call: the continuation that starts it.</summary>
internal readonly struct DuplexStreamingInvocation<TRequest, TResponse> : IInvocation<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly Interceptor.AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation;

    public DuplexStreamingInvocation(Interceptor.AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        this.continuation = continuation;
    }

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Observe<TObserver>(AsyncDuplexStreamingCall<TRequest, TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>.Wrap(call, observer);

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Fail(RpcException error) => FailedCall.DuplexStreaming<TRequest, TResponse>(error);

    public AsyncDuplexStreamingCall<TRequest, TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return continuation(context);
    }
}
