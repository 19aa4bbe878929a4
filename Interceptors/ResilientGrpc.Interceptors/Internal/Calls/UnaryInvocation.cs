using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>An async unary call: its request, and what starts it below (an interceptor's continuation, or a call invoker).</summary>
internal readonly struct UnaryInvocation<TRequest, TResponse> : IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    private readonly TRequest request;
    private readonly Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse>? continuation;
    private readonly CallInvoker? invoker;

    public UnaryInvocation(TRequest request, Interceptor.AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        this.request = request;
        this.continuation = continuation;
    }

    public UnaryInvocation(TRequest request, CallInvoker invoker)
    {
        this.request = request;
        this.invoker = invoker;
    }

    public static AsyncUnaryCall<TResponse> Observe<TObserver>(AsyncUnaryCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => ObservedUnaryCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncUnaryCall<TResponse> Fail(RpcException error) => FailedCall.Unary<TResponse>(error);

    public AsyncUnaryCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context)
    {
        using var handing = AmbientCall.Hand(context.Options, context.Method);
        return invoker?.AsyncUnaryCall(context.Method, context.Host, context.Options, request) ?? continuation!(request, context);
    }
}
