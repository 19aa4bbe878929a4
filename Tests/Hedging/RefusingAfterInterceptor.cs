using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>Stands in for a circuit breaker below the hedging interceptor that opens after <paramref name="admitted"/> calls.</summary>
internal sealed class RefusingAfterInterceptor(int admitted) : Interceptor
{
    private int calls;

    public int Refused => Math.Max(0, Volatile.Read(ref calls) - admitted);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Interlocked.Increment(ref calls) <= admitted
            ? continuation(request, context)
            : FailedCall.Unary<TResponse>(new BrokenCircuitException("test", null, CircuitState.Open, TimeSpan.FromSeconds(30)));
}
