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
/// Only async unary and server-streaming calls of the methods listed in <see cref="HedgingOptions.HedgedMethods"/>
/// are hedged. A server stream commits to the first attempt that delivers its first message or ends its stream, or,
/// once the caller asks for its response headers, to the first attempt whose headers arrive while it still runs;
/// after that, its errors reach the caller unchanged. Blocking unary, client-streaming and duplex calls pass through
/// unhedged: a blocking continuation runs one attempt at a time, a client or duplex stream cannot be replayed without
/// buffering it, and the options name methods by string, so they cannot tell call kinds apart.
/// </para>
/// <para>
/// The first attempt goes at once; each next one, up to <see cref="HedgingOptions.MaxAttempts"/> in all, after
/// <see cref="HedgingOptions.Delay"/>, or at once when an attempt failed with one of
/// <see cref="HedgingOptions.NonFatalStatusCodes"/>. Each hedge carries the <c>grpc-previous-rpc-attempts</c> request
/// header. A server pushback (<c>grpc-retry-pushback-ms</c>) of zero or more on a non-fatal failure sends the next
/// hedge after that delay; a negative or unreadable one stops hedging, while the attempts in flight go on. The first
/// success commits the call, and so does a failure with any other status: every other attempt is then cancelled and
/// disposed, so the server sees each cancellation. When every attempt fails non-fatally, the last failure is the
/// call's. Its headers, status and trailers are those of the attempt that decided it.
/// </para>
/// <para>
/// With a retry budget (<see cref="HedgingOptions.Throttling"/>, or the one a stack shares with retry), no further
/// hedge is sent while the budget does not allow; each attempt failing non-fatally takes a token, each answered call
/// gives some back.
/// </para>
/// <para>
/// The caller's deadline bounds every hedge (no hedge starts after it), and its cancellation, or disposing the call,
/// cancels every attempt: the call then fails with <see cref="StatusCode.Cancelled"/>. An attempt refused at once by
/// an interceptor below (an open circuit's <see cref="BrokenCircuitException"/>) never reached the network: no
/// further hedge is sent, the attempts in flight go on, and the refusal is the call's outcome only when none is left.
/// </para>
/// <para>
/// Stack it outermost, above the circuit breaker and the <see cref="DeadlineInterceptor"/>: each hedge then gets its
/// own attempt deadline, and the breaker admits or refuses each hedge but counts the call once, as it counts a retried
/// call: a failed hedge is a failed attempt, and the call fails once, when every hedge has failed (the attempt threshold
/// scales with <see cref="HedgingOptions.MaxAttempts"/>). <see cref="ResilienceOptions.Hedging"/> does this, and keeps the
/// <see cref="RetryInterceptor"/> off the calls it hedges: a call gets either retry or hedging. The blocking unary
/// calls of a hedged method, which this interceptor passes through, are retried there as any other method's.
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

    /// <summary>Creates the interceptor with the services an entry point gives every interceptor it builds.</summary>
    internal HedgingInterceptor(HedgingOptions options, InterceptorServices services)
        : this(options, services, OwnBudget(options))
    {
    }

    /// <summary>
    /// Creates the interceptor with <paramref name="throttle"/> as its retry budget instead of one of its own: the one
    /// budget a stack shares between retry and hedging (gRFC A6), or null for none.
    /// </summary>
    internal HedgingInterceptor(HedgingOptions options, InterceptorServices services, RetryThrottle? throttle)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        options.Validate();
        var policy = new HedgingPolicy(options);
        Calls = services.CallTelemetry();
        var telemetry = new HedgingTelemetry(services.Logger("Hedging"), HedgingMetrics.For(services.MeterFactory), policy.MaxAttempts, services.Target);
        engine = new HedgingEngine(policy, throttle, services.Time, telemetry);
    }

    /// <summary>This interceptor's share of the attempt and call instruments.</summary>
    internal CallTelemetry Calls { get; }

    /// <summary>The methods and services this interceptor hedges, as configured.</summary>
    internal IReadOnlyCollection<string> HedgedMethods => engine.Policy.HedgedMethods;

    /// <summary>Whether calls to <paramref name="method"/> are hedged.</summary>
    internal bool AppliesTo(IMethod method) => engine.Policy.AppliesTo(method);

    /// <summary>Passes blocking calls through unhedged: the blocking continuation runs one attempt at a time.</summary>
    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        BlockingInvocation<TRequest, TResponse>.Wait(Unhedged<TRequest, TResponse, AsyncUnaryCall<TResponse>, BlockingInvocation<TRequest, TResponse>>(
            context, new(request, continuation)));

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Unary(context, new UnaryInvocation<TRequest, TResponse>(request, continuation));

    /// <summary>Hedges a server-streaming call until an attempt delivers its first message, ends its stream, or answers the caller's request for headers.</summary>
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
        Unhedged<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, ClientStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>Passes duplex calls through unhedged: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Unhedged<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, DuplexStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>The path of an async unary call: hedged when its method is.</summary>
    internal AsyncUnaryCall<TResponse> Unary<TRequest, TResponse, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>> =>
        Hedge<TRequest, TResponse, AsyncUnaryCall<TResponse>, HedgedUnary<TRequest, TResponse>, TInvocation>(context, invocation);

    /// <summary>The path of a server-streaming call: hedged until it commits, when its method is hedged.</summary>
    internal AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncServerStreamingCall<TResponse>> =>
        Hedge<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, HedgedServerStreaming<TRequest, TResponse>, TInvocation>(context, invocation);

    /// <summary>A call kind this interceptor never hedges (blocking, client streaming, duplex): only recorded.</summary>
    internal TCall Unhedged<TRequest, TResponse, TCall, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall> =>
        Calls.Passed<TRequest, TResponse, TCall, TInvocation>(context, invocation);

    /// <summary>The path of a hedged call kind, made of hedges by <typeparamref name="THedging"/> when its method is hedged.</summary>
    private TCall Hedge<TRequest, TResponse, TCall, THedging, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where THedging : struct, IOwnedCall<HedgingEngine, TRequest, TResponse, TCall>
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall> =>
        Calls.Owned<HedgingEngine, TRequest, TResponse, TCall, THedging, TInvocation>(engine, context, invocation, engine.Policy.AppliesTo(context.Method));

    /// <summary>The budget of valid <paramref name="options"/>' own <see cref="HedgingOptions.Throttling"/>, if any.</summary>
    private static RetryThrottle? OwnBudget(HedgingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return RetryThrottle.For(options.Throttling);
    }
}
