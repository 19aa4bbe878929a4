using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>Server-streaming calls, hedged by <see cref="HedgingServerStreamingCall{TRequest, TResponse}"/>.</summary>
internal readonly struct HedgedServerStreaming<TRequest, TResponse> : IOwnedCall<HedgingEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncServerStreamingCall<TResponse> Start<TInvocation>(
        HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        HedgingServerStreamingCall<TRequest, TResponse>.Start(engine, context, found, invocation);
}
