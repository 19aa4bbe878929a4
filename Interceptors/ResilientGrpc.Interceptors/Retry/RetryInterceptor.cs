using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Retry;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Retries failed calls with exponential backoff and jitter, honouring the caller's deadline and cancellation,
/// server pushback (gRFC A6) and an optional retry budget.
/// </summary>
/// <remarks>
/// <para>
/// Unary (async and blocking) and server-streaming calls are retried; client-streaming and duplex calls pass through,
/// as their request stream cannot be replayed. A server stream is retried only until it commits (gRFC A6): once it has
/// delivered a message, or the caller has read its headers, its errors reach the caller unchanged. A retried async unary
/// call's headers are the final attempt's, available once the call settles.
/// </para>
/// <para>
/// Stack it outermost, above the circuit breaker and the <see cref="DeadlineInterceptor"/>, so each attempt gets its own
/// deadline and a call the breaker refuses is not retried. Retried attempts carry <c>grpc-previous-rpc-attempts</c>; the
/// caller sees the last attempt's status and trailers.
/// </para>
/// </remarks>
public sealed class RetryInterceptor : Interceptor
{
    private readonly RetryEngine engine;

    /// <summary>Creates the interceptor from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The options; validated and copied here, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock backoff delays and deadlines use; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where attempts, retries and give-ups are logged (category <c>ResilientGrpc.Retry</c>); nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">One or more options are invalid; the message names each of them.</exception>
    public RetryInterceptor(
        RetryOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory))
    {
    }

    internal RetryInterceptor(
        RetryOptions options,
        InterceptorServices services,
        Func<double>? random = null,
        IReadOnlyCollection<string>? hedgedMethods = null,
        RetryThrottle? throttle = null,
        bool declaresAttempts = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var policy = new RetryPolicy(options, hedgedMethods);
        Calls = services.CallTelemetry();
        var telemetry = new RetryTelemetry(services.Logger("Retry"), RetryMetrics.For(services.MeterFactory), policy.MaxAttempts, services.Target);
        engine = new RetryEngine(policy, throttle ?? RetryThrottle.For(options.Throttling), services.Time, random ?? Random.Shared.NextDouble, telemetry, declaresAttempts);
    }

    internal CallTelemetry Calls { get; }

    /// <summary>Retries blocking unary calls by the same rules; hedging passes them through, so a hedged method's are retried here.</summary>
    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        BlockingInvocation<TRequest, TResponse>.Wait(Unary(context, new BlockingInvocation<TRequest, TResponse>(request, continuation), hedgeable: false));

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Unary(context, new UnaryInvocation<TRequest, TResponse>(request, continuation), hedgeable: true);

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        ServerStreaming(context, new ServerStreamingInvocation<TRequest, TResponse>(request, continuation));

    /// <summary>Passes client-streaming calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Calls.Passed<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, ClientStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>Passes duplex calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Calls.Passed<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, DuplexStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>The path of a unary call; <paramref name="hedgeable"/> (async) leaves a hedged method's calls to hedging.</summary>
    internal AsyncUnaryCall<TResponse> Unary<TRequest, TResponse, TInvocation>(
        ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation, bool hedgeable)
        where TRequest : class
        where TResponse : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        Calls.Owned<RetryEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>, Retried<TRequest, TResponse>, TInvocation>(
            engine, context, invocation, engine.AppliesTo(context.Method, hedgeable));

    internal AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse, TInvocation>(
        ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        Calls.Owned<RetryEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>, Retried<TRequest, TResponse>, TInvocation>(
            engine, context, invocation, engine.AppliesTo(context.Method, hedgeable: true));
}
