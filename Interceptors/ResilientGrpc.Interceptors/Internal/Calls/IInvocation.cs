using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// One call an interceptor was asked to make: its kind, and how to start it (or another attempt of it) with a given
/// context. Implemented by small structs that hold the request and the continuation, so passing one costs nothing.
/// </summary>
internal interface IInvocation<TRequest, TResponse, TCall> : ICallKind<TCall>
    where TRequest : class
    where TResponse : class
    where TCall : class
{
    /// <summary>Starts the call below with <paramref name="context"/>.</summary>
    TCall Start(ClientInterceptorContext<TRequest, TResponse> context);
}
