using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Hedging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Hedges calls to idempotent methods (gRFC A6): sends the same request again when no answer has come after a delay,
/// and takes the first answer. A hung server then costs the caller the hedge delay instead of a failed call.
/// </summary>
/// <remarks>
/// <para>
/// Only async unary and server-streaming calls of <see cref="HedgingOptions.HedgedMethods"/> are hedged; other kinds
/// pass through (a blocking continuation runs one attempt at a time, a request stream cannot be replayed). A server
/// stream commits to the first attempt that delivers a message or ends, or whose headers the caller asked for arrive
/// while it runs; after that its errors reach the caller unchanged.
/// </para>
/// <para>
/// Each hedge carries <c>grpc-previous-rpc-attempts</c>. The first success, or a fatal failure, decides the call (its
/// headers, status and trailers are that attempt's) and cancels the others; when every attempt fails non-fatally, the
/// last failure is the call's. No hedge starts after the caller's deadline, and its cancellation, or disposing the
/// call, cancels every attempt (<see cref="StatusCode.Cancelled"/>). A refusal from below (<see cref="BrokenCircuitException"/>)
/// stops further hedges and is the call's outcome only when no attempt is left in flight.
/// </para>
/// <para>
/// Stack it outermost, above the circuit breaker and the <see cref="DeadlineInterceptor"/>: each hedge then gets its
/// own deadline, and the breaker counts a hedged call once. <see cref="ResilienceOptions.Hedging"/> does this.
/// </para>
/// </remarks>
public sealed class HedgingInterceptor : Interceptor
{
    private readonly HedgingEngine engine;

    /// <summary>Creates the interceptor from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The options; validated and copied here, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock hedge delays and deadlines use; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where hedges are logged (category <c>ResilientGrpc.Hedging</c>); nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">One or more options are invalid; the message names each of them.</exception>
    public HedgingInterceptor(
        HedgingOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory))
    {
    }

    internal HedgingInterceptor(HedgingOptions options, InterceptorServices services, RetryThrottle? throttle = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        options.Validate();
        var policy = new HedgingPolicy(options);
        Calls = services.CallTelemetry();
        var telemetry = new HedgingTelemetry(services.Logger("Hedging"), HedgingMetrics.For(services.MeterFactory), policy.MaxAttempts, services.Target);
        engine = new HedgingEngine(policy, throttle ?? RetryThrottle.For(options.Throttling), services.Time, telemetry);
    }

    internal CallTelemetry Calls { get; }

    internal IReadOnlyCollection<string> HedgedMethods => engine.Policy.HedgedMethods;

    /// <summary>Passes blocking calls through unhedged: the blocking continuation runs one attempt at a time.</summary>
    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        BlockingInvocation<TRequest, TResponse>.Wait(Calls.Passed<TRequest, TResponse, AsyncUnaryCall<TResponse>, BlockingInvocation<TRequest, TResponse>>(
            context, new(request, continuation)));

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Unary(context, new UnaryInvocation<TRequest, TResponse>(request, continuation));

    /// <summary>Hedges a server-streaming call until it commits.</summary>
    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        ServerStreaming(context, new ServerStreamingInvocation<TRequest, TResponse>(request, continuation));

    /// <summary>Passes client-streaming calls through unhedged: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Calls.Passed<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, ClientStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>Passes duplex calls through unhedged: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Calls.Passed<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, DuplexStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    internal AsyncUnaryCall<TResponse> Unary<TRequest, TResponse, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        Calls.Owned<HedgingEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>, Hedged<TRequest, TResponse>, TInvocation>(
            engine, context, invocation, engine.Policy.AppliesTo(context.Method));

    internal AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        Calls.Owned<HedgingEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>, Hedged<TRequest, TResponse>, TInvocation>(
            engine, context, invocation, engine.Policy.AppliesTo(context.Method));
}
