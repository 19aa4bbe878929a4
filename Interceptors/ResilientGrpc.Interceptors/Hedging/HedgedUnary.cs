using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>Async unary calls, hedged by <see cref="HedgingUnaryCall{TRequest, TResponse}"/>.</summary>
internal readonly struct HedgedUnary<TRequest, TResponse> : IOwnedCall<HedgingEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    public AsyncUnaryCall<TResponse> Start<TInvocation>(
        HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        HedgingUnaryCall<TRequest, TResponse>.Start(engine, context, found, invocation);
}
