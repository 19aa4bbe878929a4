using Grpc.Core;
using Grpc.Core.Interceptors;

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
    /// <summary>Creates the interceptor from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The options; copied and validated here, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock backoff delays and deadlines use; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">One or more options are invalid; the message names each of them.</exception>
    public RetryInterceptor(RetryOptions options, TimeProvider? timeProvider = null)
        : this(options, timeProvider, random: null)
    {
    }

    /// <summary>Creates the interceptor with a random source for the jitter, so tests can pin it.</summary>
    /// <param name="options">The options; copied and validated here.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="random">Returns uniform numbers in [0, 1); <see cref="Random.Shared"/> when null.</param>
    internal RetryInterceptor(RetryOptions options, TimeProvider? timeProvider, Func<double>? random)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Validate();
        Policy = new RetryPolicy(copy);
        Throttle = copy.Throttling is { } throttling ? new RetryThrottle(throttling) : null;
        Time = timeProvider ?? TimeProvider.System;
        NextSample = random ?? Random.Shared.NextDouble;
    }

    internal RetryPolicy Policy { get; }

    /// <summary>The retry budget, or null when retries are not throttled.</summary>
    internal RetryThrottle? Throttle { get; }

    internal TimeProvider Time { get; }

    internal Func<double> NextSample { get; }

    internal RetryTelemetry Telemetry { get; } = RetryTelemetry.None;

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return Policy.AppliesTo(context.Method)
            ? new RetryingBlockingCall<TRequest, TResponse>(this, request, context).Run(continuation)
            : continuation(request, context);
    }

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return Policy.AppliesTo(context.Method)
            ? new RetryingUnaryCall<TRequest, TResponse>(this, request, context, continuation).Start()
            : continuation(request, context);
    }

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return Policy.AppliesTo(context.Method)
            ? new RetryingServerStreamingCall<TRequest, TResponse>(this, request, context, continuation).Start()
            : continuation(request, context);
    }

    /// <summary>Passes client-streaming calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return continuation(context);
    }

    /// <summary>Passes duplex calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        return continuation(context);
    }
}
