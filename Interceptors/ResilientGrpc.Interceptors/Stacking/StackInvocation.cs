using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>The rest of a <see cref="ResilienceStack"/> from <paramref name="layer"/> down, handed to a layer as the call it wraps (no closure).</summary>
internal readonly struct StackInvocation<TRequest, TResponse, TCall, TKind, TInner>(ResilienceStack stack, StackLayer layer, TInner inner)
    : IInvocation<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TKind : struct, IStackedKind<TRequest, TResponse, TCall>
    where TInner : struct, IInvocation<TRequest, TResponse, TCall>
{
    public static TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver => TInner.Observe(call, observer);

    public static TCall Fail(RpcException error) => TInner.Fail(error);

    public TCall Start(ClientInterceptorContext<TRequest, TResponse> context) => stack.Run<TRequest, TResponse, TCall, TKind, TInner>(layer, context, inner);
}
