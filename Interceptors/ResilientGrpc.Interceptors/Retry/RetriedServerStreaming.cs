using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Server-streaming calls, retried until they commit by <see cref="RetryingServerStreamingCall{TRequest, TResponse, TInvocation}"/>.</summary>
internal readonly struct RetriedServerStreaming<TRequest, TResponse> : IRetriedKind<TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncServerStreamingCall<TResponse> Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        RetryingServerStreamingCall<TRequest, TResponse, TInvocation>.Start(engine, context, invocation);
}
