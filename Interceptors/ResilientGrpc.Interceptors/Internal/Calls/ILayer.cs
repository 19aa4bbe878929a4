using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>One layer of a call: what it does to the call before handing it to the layers below, and after.</summary>
internal interface ILayer<TRequest, TResponse, TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    /// <summary>Runs this layer over the call with <paramref name="context"/>, started below by <paramref name="inner"/>.</summary>
    TCall Start<TInner>(ClientInterceptorContext<TRequest, TResponse> context, TInner inner)
        where TInner : struct, IInvocation<TRequest, TResponse, TCall>;
}
