using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>An invocation that runs <typeparamref name="TLayer"/> over <typeparamref name="TInner"/>: layers composed without a closure.</summary>
internal readonly struct LayeredInvocation<TRequest, TResponse, TCall, TLayer, TInner>(TLayer layer, TInner inner)
    : IInvocation<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
    where TLayer : struct, ILayer<TRequest, TResponse, TCall>
    where TInner : struct, IInvocation<TRequest, TResponse, TCall>
{
    public static TCall Observe<TObserver>(TCall call, TObserver observer)
        where TObserver : struct, ICallObserver => TInner.Observe(call, observer);

    public static TCall Fail(RpcException error) => TInner.Fail(error);

    public TCall Start(ClientInterceptorContext<TRequest, TResponse> context) => layer.Start(context, inner);
}
