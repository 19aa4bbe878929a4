using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A call to make and how to start it (or another attempt): small structs holding the request and continuation, free to pass.</summary>
internal interface IInvocation<TRequest, TResponse, TCall> : ICallKind<TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    TCall Start(ClientInterceptorContext<TRequest, TResponse> context);
}
