using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Retry;

namespace ResilientGrpc.Interceptors.Stacking;

/// <summary>
/// The call invoker <c>WithResilience</c> returns. Async unary calls, the hot path, run through the same interceptor
/// instances as <c>Intercept()</c> would stack them, and through the same code in each (retry → circuit breaker →
/// deadline), but each layer calls the next directly through a small value instead of a closure per layer per
/// call. Every other call kind, and async unary calls of hedged methods (hedging → circuit breaker → deadline), go
/// through the interceptors stacked with <c>Intercept()</c>.
/// </summary>
internal sealed class ResilientCallInvoker : CallInvoker
{
    private readonly CallInvoker inner;
    private readonly CallInvoker intercepted;
    private readonly HedgingInterceptor? hedging;
    private readonly RetryInterceptor? retry;
    private readonly CircuitBreakerInterceptor? breaker;
    private readonly DeadlineInterceptor? deadline;

    public ResilientCallInvoker(
        CallInvoker inner, HedgingInterceptor? hedging, RetryInterceptor? retry, CircuitBreakerInterceptor? breaker, DeadlineInterceptor? deadline)
    {
        this.inner = inner;
        this.hedging = hedging;
        this.retry = retry;
        this.breaker = breaker;
        this.deadline = deadline;
        Interceptor[] stack = [.. new Interceptor?[] { hedging, retry, breaker, deadline }.OfType<Interceptor>()];
        intercepted = inner.Intercept(stack);
    }

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        if (hedging is not null && hedging.AppliesTo(method))
        {
            // Hedged calls take the interceptor chain: the hedging interceptor is outermost and the retry one skips them.
            return intercepted.AsyncUnaryCall(method, host, options, request);
        }

        var context = new ClientInterceptorContext<TRequest, TResponse>(method, host, options);
        var attempts = Attempts<TRequest, TResponse>(request);
        return retry is null ? attempts.Start(context) : Retried(retry, context, attempts);
    }

    private static AsyncUnaryCall<TResponse> Retried<TRequest, TResponse, TAttempts>(
        RetryInterceptor retry, ClientInterceptorContext<TRequest, TResponse> context, TAttempts attempts)
        where TRequest : class
        where TResponse : class
        where TAttempts : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        retry.Retry<TRequest, TResponse, AsyncUnaryCall<TResponse>, TAttempts, RetriedUnary<TRequest, TResponse>>(context, attempts);

    /// <summary>How each attempt goes down: through the breaker, then the deadline, then the wrapped invoker.</summary>
    private LayeredInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>, BreakerLayer<TRequest, TResponse, AsyncUnaryCall<TResponse>>,
        LayeredInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>, DeadlineLayer<TRequest, TResponse>, InvokerUnary<TRequest, TResponse>>>
        Attempts<TRequest, TResponse>(TRequest request)
        where TRequest : class
        where TResponse : class =>
        new(new(breaker), new(new(deadline), new(inner, request)));

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        intercepted.BlockingUnaryCall(method, host, options, request);

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        intercepted.AsyncServerStreamingCall(method, host, options, request);

    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        intercepted.AsyncClientStreamingCall(method, host, options);

    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        intercepted.AsyncDuplexStreamingCall(method, host, options);
}
