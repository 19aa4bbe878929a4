using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Overload;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// A client interceptor that refuses a share of new attempts locally when the server accepts too few of them:
/// client-side adaptive throttling (Site Reliability Engineering, "Handling Overload"; see
/// <see cref="AdaptiveThrottlingOptions"/>). A refused attempt fails at once with
/// <see cref="OverloadRejectedException"/> (<see cref="StatusCode.ResourceExhausted"/>) without reaching the network,
/// is never retried, and counts against the server neither in the circuit breaker nor in outlier detection.
/// </summary>
/// <remarks>
/// <para>
/// It throttles attempts: place it below the retry and hedging interceptors, so that retries and hedges are refused
/// with the rest when the server is overloaded, and above the concurrency limit and the circuit breaker, whose refusals
/// it does not count. With the default multiplier of 2 it refuses nothing while the server accepts at least half of
/// what it is sent, so random failures that retries absorb never throttle; against a server that accepts nothing it
/// lets about one attempt in (requests in the window + 1) through, which is what tells it the server has recovered.
/// </para>
/// <para>Thread-safe and lock-free. Covers every call kind; one instance serves every call through it.</para>
/// </remarks>
public sealed class AdaptiveThrottlingInterceptor : Interceptor
{
    private readonly AdaptiveThrottle throttle;
    private readonly OverloadTelemetry telemetry;

    /// <summary>Creates adaptive throttling from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The settings; validated, then copied, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock of the sliding window; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where spells of refusals are logged (category <c>ResilientGrpc.Overload</c>); nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is invalid; the message names every invalid one.</exception>
    public AdaptiveThrottlingInterceptor(
        AdaptiveThrottlingOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory), random: null)
    {
    }

    /// <summary>Creates adaptive throttling with the services an entry point gives every interceptor it builds.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="services">The clock, logger and meter.</param>
    /// <param name="random">Draws in [0, 1) that decide refusals; <see cref="Random.Shared"/> when null.</param>
    internal AdaptiveThrottlingInterceptor(AdaptiveThrottlingOptions options, InterceptorServices services, Func<double>? random)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        throttle = new AdaptiveThrottle(options, services.Time, random);
        var metrics = OverloadMetrics.For(services.MeterFactory);
        telemetry = new OverloadTelemetry(OverloadRejectionReason.AdaptiveThrottling, services.Logger("Overload"), metrics, services.Time, services.Target);
        metrics.Observe(throttle, telemetry.Target);
        Calls = services.CallTelemetry();
    }

    /// <summary>The probability that a new attempt is refused now: 0 while the server accepts enough of them.</summary>
    public double RefusalProbability => throttle.RefusalProbability;

    /// <summary>This interceptor's share of the attempt and call instruments.</summary>
    internal CallTelemetry Calls { get; }

    /// <inheritdoc/>
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        BlockingInvocation<TRequest, TResponse>.Wait(
            Intercept<TRequest, TResponse, AsyncUnaryCall<TResponse>, BlockingInvocation<TRequest, TResponse>>(context, new(request, continuation)));

    /// <inheritdoc/>
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncUnaryCall<TResponse>, UnaryInvocation<TRequest, TResponse>>(context, new(request, continuation));

    /// <inheritdoc/>
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, ServerStreamingInvocation<TRequest, TResponse>>(
            context, new(request, continuation));

    /// <inheritdoc/>
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, ClientStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <inheritdoc/>
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Intercept<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, DuplexStreamingInvocation<TRequest, TResponse>>(
            context, new(continuation));

    /// <summary>
    /// The one path of every call kind: send the attempt or refuse it (without reaching the network), and learn whether
    /// the server accepted it, from the owner of several attempts above when it reports ends, else by observing it.
    /// </summary>
    internal TCall Intercept<TRequest, TResponse, TCall, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
    {
        var call = ResilienceCallContext.Of(context.Options, context.Method);
        var scope = Calls.Enter(ref context, ref call);
        if (!throttle.TryAdmit())
        {
            var (requests, accepts) = throttle.Counts();
            telemetry.Refused(context.Method, context.Host, out var startsSpell);
            if (startsSpell)
            {
                OverloadLog.ThrottlingStarted(telemetry.Logger, telemetry.Target, accepts, requests, throttle.RefusalProbability);
            }

            var refusal = new OverloadRejectedException(
                OverloadRejectionReason.AdaptiveThrottling,
                $"Refused locally by adaptive throttling: the server accepted {accepts} of the last {requests} attempts.");
            scope.Refused(StatusCode.ResourceExhausted, refusal);
            return TInvocation.Fail(refusal);
        }

        if (telemetry.Admitted(out var refusals))
        {
            OverloadLog.ThrottlingEnded(telemetry.Logger, telemetry.Target, refusals);
        }

        var watched = call is not null && call.TryWatchAttempt(throttle, token: 0);
        TCall started;
        try
        {
            started = invocation.Start(context);
        }
        catch (Exception error) when (scope.Threw(error))
        {
            throw;
        }

        return scope.Track<TCall, TInvocation>(watched ? started : TInvocation.Observe(started, new ThrottledAttempt(throttle, context.Options.CancellationToken)));
    }
}
