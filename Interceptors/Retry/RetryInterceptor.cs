using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ResilientGrpc.Interceptors.Retry;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Retries failed calls with exponential backoff and jitter, honouring the caller's deadline and cancellation,
/// server pushback (gRFC A6) and an optional retry budget.
/// </summary>
/// <remarks>
/// <para>
/// Unary calls (async and blocking) and server-streaming calls are retried. A server stream is retried only until it
/// commits (gRFC A6): once it has delivered its first message, or the caller has read its response headers, later
/// errors reach the caller unchanged, so a stream the caller has started reading is never replayed. A unary attempt
/// never commits before it ends: its response is one message, and grpc-dotnet reports response headers even for a
/// call the server failed without sending any ("trailers-only"), so headers say nothing about a started answer. The
/// response headers of a retried async unary call are those of the final attempt and become available once the call
/// settles. Client-streaming and duplex calls pass through unretried, because their request stream cannot be
/// replayed without buffering it.
/// </para>
/// <para>
/// Stack it outermost, above the circuit breaker and the <see cref="DeadlineInterceptor"/>, so that each attempt gets
/// its own deadline and a call the breaker refuses is not retried. Retried attempts carry the
/// <c>grpc-previous-rpc-attempts</c> request header. The caller sees the last attempt's status and trailers.
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
        : this(options, timeProvider, random: null, loggerFactory, meterFactory, target: null)
    {
    }

    /// <summary>Creates the interceptor with a random source for the jitter, so tests can pin it.</summary>
    /// <param name="options">The options; validated and copied here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">Returns uniform numbers in [0, 1); <see cref="Random.Shared"/> when null.</param>
    /// <param name="loggerFactory">Where to log; nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the meter; the shared static meter when null.</param>
    /// <param name="target">The <c>grpc.target</c> tag of calls that name no host; <c>unknown</c> when null.</param>
    internal RetryInterceptor(
        RetryOptions options,
        TimeProvider? timeProvider,
        Func<double>? random,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        string? target = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var policy = new RetryPolicy(options);
        var time = timeProvider ?? TimeProvider.System;
        var metrics = ResilienceMetrics.For(meterFactory);
        Calls = new CallTelemetry(metrics, time, target);
        var telemetry = new RetryTelemetry(
            (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(ResilienceTelemetry.LoggerCategoryPrefix + ".Retry"),
            metrics,
            policy.MaxAttempts,
            target);
        var throttle = options.Throttling is { } throttling ? new RetryThrottle(throttling) : null;
        engine = new RetryEngine(policy, throttle, time, random ?? Random.Shared.NextDouble, telemetry);
    }

    /// <summary>This interceptor's share of the attempt and call instruments.</summary>
    internal CallTelemetry Calls { get; }

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        if (!engine.AppliesTo(context.Method))
        {
            return Calls.RunBlocking(request, context, continuation, call, ownsCall, default);
        }

        ResilienceCallContext.ForRetry(ref context, engine.MaxAttempts);
        var retrying = new RetryingBlockingCall<TRequest, TResponse>(engine, request, context);
        return call is null
            ? retrying.Run(continuation)
            : Calls.RunBlocking(request, context, (_, _) => retrying.Run(EachAttempt(continuation, call)), call, ownsCall, default, claimsAttempt: false);
    }

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        if (!engine.AppliesTo(context.Method))
        {
            var start = Calls.AttemptStart(call);
            return Calls.Track(continuation(request, context), call, ownsCall, start, default);
        }

        // Each attempt is offered to the attempt instruments; the retried call as a whole is the caller's call.
        ResilienceCallContext.ForRetry(ref context, engine.MaxAttempts);
        var attempts = call is null ? continuation : EachAttempt(continuation, call);
        var retrying = new RetryingUnaryCall<TRequest, TResponse>(engine, request, context, attempts).Start();
        return Calls.Track(retrying, call, ownsCall, attemptStart: 0, default, claimsAttempt: false);
    }

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        if (!engine.AppliesTo(context.Method))
        {
            var start = Calls.AttemptStart(call);
            return Calls.Track(continuation(request, context), call, ownsCall, start, default);
        }

        // Each attempt is offered to the attempt instruments; the retried call as a whole is the caller's call.
        ResilienceCallContext.ForRetry(ref context, engine.MaxAttempts);
        var attempts = call is null ? continuation : EachAttempt(continuation, call);
        var retrying = new RetryingServerStreamingCall<TRequest, TResponse>(engine, request, context, attempts).Start();
        return Calls.Track(retrying, call, ownsCall, attemptStart: 0, default, claimsAttempt: false);
    }

    /// <summary>Passes client-streaming calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        var start = Calls.AttemptStart(call);
        return Calls.Track(continuation(context), call, ownsCall, start, default);
    }

    /// <summary>Passes duplex calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        var start = Calls.AttemptStart(call);
        return Calls.Track(continuation(context), call, ownsCall, start, default);
    }

    /// <summary>Wraps a continuation so each attempt it starts is offered to the attempt instruments.</summary>
    private AsyncUnaryCallContinuation<TRequest, TResponse> EachAttempt<TRequest, TResponse>(
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation, ResilienceCallContext call)
        where TRequest : class
        where TResponse : class =>
        (request, context) =>
        {
            call.OpenAttempt();
            var start = Calls.AttemptStart(call);
            return Calls.Track(continuation(request, context), call, ownsCall: false, start, default);
        };

    private AsyncServerStreamingCallContinuation<TRequest, TResponse> EachAttempt<TRequest, TResponse>(
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation, ResilienceCallContext call)
        where TRequest : class
        where TResponse : class =>
        (request, context) =>
        {
            call.OpenAttempt();
            var start = Calls.AttemptStart(call);
            return Calls.Track(continuation(request, context), call, ownsCall: false, start, default);
        };

    private BlockingUnaryCallContinuation<TRequest, TResponse> EachAttempt<TRequest, TResponse>(
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation, ResilienceCallContext call)
        where TRequest : class
        where TResponse : class =>
        (request, context) =>
        {
            call.OpenAttempt();
            return Calls.RunBlocking(request, context, continuation, call, ownsCall: false, default);
        };
}
