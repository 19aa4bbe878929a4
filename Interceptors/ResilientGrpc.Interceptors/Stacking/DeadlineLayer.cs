using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The deadline's layer of a composed unary call, or nothing when the stack has no deadline.</summary>
internal readonly struct DeadlineLayer<TRequest, TResponse>(DeadlineInterceptor? deadline) : ILayer<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncUnaryCall<TResponse> Start<TInner>(ClientInterceptorContext<TRequest, TResponse> context, TInner inner)
        where TInner : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        deadline is null ? inner.Start(context) : deadline.Unary(context, inner);
}
