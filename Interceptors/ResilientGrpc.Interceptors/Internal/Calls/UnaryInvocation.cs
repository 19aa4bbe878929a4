using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>An async unary call: its request and the continuation that starts it.</summary>
internal readonly struct UnaryInvocation<TRequest, TResponse> : IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly TRequest request;
    private readonly Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation;

    public UnaryInvocation(TRequest request, Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        this.request = request;
        this.continuation = continuation;
    }

    public static AsyncUnaryCall<TResponse> Observe<TObserver>(AsyncUnaryCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedUnaryCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncUnaryCall<TResponse> Fail(RpcException error) => FailedCall.Unary<TResponse>(error);

    public AsyncUnaryCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return continuation(request, context);
    }
}
