using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The deadline's step of a composed unary call, or a plain pass to <typeparamref name="TInner"/> without one.</summary>
internal readonly struct DeadlineStep<TRequest, TResponse, TInner>(DeadlineInterceptor? deadline, TInner inner)
    : IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
    where TInner : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
{
    public static AsyncUnaryCall<TResponse> Observe<TObserver>(AsyncUnaryCall<TResponse> call, TObserver observer)
        where TObserver : struct, ICallObserver => TInner.Observe(call, observer);

    public static AsyncUnaryCall<TResponse> Fail(RpcException error) => TInner.Fail(error);

    public AsyncUnaryCall<TResponse> Start(ClientInterceptorContext<TRequest, TResponse> context) =>
        deadline is null ? inner.Start(context) : deadline.Unary(context, inner);
}
