using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The innermost step of a composed unary call: the attempt goes to the wrapped call invoker.</summary>
internal readonly struct InvokerUnary<TRequest, TResponse>(CallInvoker invoker, TRequest request)
    : IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public static AsyncUnaryCall<TResponse> Observe<TObserver>(AsyncUnaryCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => UnaryInvocation<TRequest, TResponse>.Observe(call, observer);

    public static AsyncUnaryCall<TResponse> Fail(RpcException error) => UnaryInvocation<TRequest, TResponse>.Fail(error);

    public AsyncUnaryCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context) =>
        invoker.AsyncUnaryCall(context.Method, context.Host, context.Options, request);
}
