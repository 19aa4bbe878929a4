using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Tests.Retry;

/// <summary>Stands in for an open circuit breaker below the retry interceptor: refuses every call.</summary>
internal sealed class RejectingInterceptor : Interceptor
{
    private int calls;

    public int Calls => Volatile.Read(ref calls);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        Interlocked.Increment(ref calls);
        return FailedCall.Unary<TResponse>(new BrokenCircuitException("test", null, CircuitState.Open, TimeSpan.FromSeconds(30)));
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        Interlocked.Increment(ref calls);
        return FailedCall.ServerStreaming<TResponse>(new BrokenCircuitException("test", null, CircuitState.Open, TimeSpan.FromSeconds(30)));
    }
}
