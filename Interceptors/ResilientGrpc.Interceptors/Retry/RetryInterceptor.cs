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
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory))
    {
    }

    /// <summary>Creates the interceptor with a random source for the jitter, so tests can pin it.</summary>
    internal RetryInterceptor(
        RetryOptions options, TimeProvider? timeProvider, Func<double>? random, ILoggerFactory? loggerFactory = null, IMeterFactory? meterFactory = null, string? target = null)
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory, target), random)
    {
    }

    /// <summary>
    /// Creates the interceptor with the services an entry point gives every interceptor it builds; the async unary and
    /// server-streaming calls of <paramref name="hedgedMethods"/> are left to a hedging interceptor above and never
    /// retried, while their blocking unary calls, which hedging passes through, are retried as any other.
    /// </summary>
    internal RetryInterceptor(
        RetryOptions options, InterceptorServices services, Func<double>? random = null, IReadOnlyCollection<string>? hedgedMethods = null)
        : this(options, services, random, hedgedMethods, OwnBudget(options))
    {
    }

    /// <summary>
    /// Creates the interceptor with <paramref name="throttle"/> as its retry budget instead of one of its own: the one
    /// budget a stack shares between retry and hedging (gRFC A6), or null for none.
    /// </summary>
    internal RetryInterceptor(
        RetryOptions options, InterceptorServices services, Func<double>? random, IReadOnlyCollection<string>? hedgedMethods, RetryThrottle? throttle)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var policy = new RetryPolicy(options, hedgedMethods);
        Calls = services.CallTelemetry();
        var telemetry = new RetryTelemetry(services.Logger("Retry"), RetryMetrics.For(services.MeterFactory), policy.MaxAttempts, services.Target);
        engine = new RetryEngine(policy, throttle, services.Time, random ?? Random.Shared.NextDouble, telemetry);
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
        var scope = Calls.Enter(ref context);
        // Hedging passes blocking calls through, so a hedged method's blocking calls are retried here.
        if (!engine.AppliesTo(context.Method, hedgeable: false))
        {
            return scope.Run(request, context, continuation);
        }

        ResilienceCallContext.ForRetry(ref context, engine.MaxAttempts);
        var retrying = new RetryingBlockingCall<TRequest, TResponse>(engine, request, context);
        if (scope.Context is null)
        {
            return retrying.Run(continuation);
        }

        try
        {
            var response = retrying.Run((attemptRequest, attemptContext) => scope.NextAttempt().Run(attemptRequest, attemptContext, continuation));
            scope.CallEnded(error: null);
            return response;
        }
        catch (Exception error) when (scope.CallEnded(error))
        {
            throw;
        }
    }

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Retry<TRequest, TResponse, AsyncUnaryCall<TResponse>, UnaryInvocation<TRequest, TResponse>, RetriedUnary<TRequest, TResponse>>(
            context, new(request, continuation));

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Retry<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, ServerStreamingInvocation<TRequest, TResponse>,
            RetriedServerStreaming<TRequest, TResponse>>(context, new(request, continuation));

    /// <summary>Passes client-streaming calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Unretried<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, ClientStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>Passes duplex calls through unretried: their request stream cannot be replayed.</summary>
    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Unretried<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, DuplexStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>
    /// The one path of every retried call kind: the call is marked retried for the breaker below, and when telemetry
    /// records it, each attempt is offered to the attempt instruments while the call as a whole is the caller's call.
    /// </summary>
    internal TCall Retry<TRequest, TResponse, TCall, TInvocation, TKind>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
        where TKind : struct, IRetriedKind<TRequest, TResponse, TCall>
    {
        var scope = Calls.Enter(ref context);
        try
        {
            if (!engine.AppliesTo(context.Method, hedgeable: true))
            {
                return scope.Track<TCall, TInvocation>(invocation.Start(context));
            }

            ResilienceCallContext.ForRetry(ref context, engine.MaxAttempts);
            return scope.Context is null
                ? default(TKind).Start(engine, context, invocation)
                : scope.TrackCall<TCall, TInvocation>(
                    default(TKind).Start(
                        engine, context, new LayeredInvocation<TRequest, TResponse, TCall, AttemptLayer<TRequest, TResponse, TCall>, TInvocation>(new(scope), invocation)));
        }
        catch (Exception error) when (scope.Threw(error))
        {
            throw;
        }
    }

    /// <summary>A call kind this interceptor never retries: only recorded.</summary>
    private TCall Unretried<TRequest, TResponse, TCall, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
    {
        var scope = Calls.Enter(ref context);
        try
        {
            return scope.Track<TCall, TInvocation>(invocation.Start(context));
        }
        catch (Exception error) when (scope.Threw(error))
        {
            throw;
        }
    }

    /// <summary>The budget of valid <paramref name="options"/>' own <see cref="RetryOptions.Throttling"/>, if any.</summary>
    private static RetryThrottle? OwnBudget(RetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return RetryThrottle.For(options.Throttling);
    }
}
