using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>Server-streaming calls, retried by <see cref="RetryingServerStreamingCall{TRequest, TResponse}"/>.</summary>
internal readonly struct RetriedServerStreaming<TRequest, TResponse> : IOwnedCall<RetryEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncServerStreamingCall<TResponse> Start<TInvocation>(
        RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        RetryingServerStreamingCall<TRequest, TResponse>.Start(engine, context, found, invocation);
}
