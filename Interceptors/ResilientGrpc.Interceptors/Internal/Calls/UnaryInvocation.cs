using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

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
