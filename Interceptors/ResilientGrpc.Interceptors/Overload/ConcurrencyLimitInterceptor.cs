using System.Diagnostics.Metrics;
using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Overload;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// A client interceptor that keeps at most a limit of unary attempts in flight at once, and refuses the rest locally,
/// at once or after a bounded wait in line (<see cref="ConcurrencyLimitOptions.MaxQueueWait"/>), with <see cref="OverloadRejectedException"/> (<see cref="StatusCode.ResourceExhausted"/>): a bulkhead
/// with, by default, a limit that adapts to the server (<see cref="ConcurrencyLimitOptions.Algorithm"/>). Refused
/// attempts never reach the network, are never retried, and count against the server neither in the circuit breaker
/// nor in outlier detection.
/// </summary>
/// <remarks>
/// <para>
/// It limits attempts, not calls: place it below the retry and hedging interceptors, so every retry and hedge takes a
/// slot as it leaves, since each is one more request the server must serve; and above the circuit breaker and the
/// deadline. Streaming calls pass through uncounted: a stream is in flight for as long as it is read, which says nothing
/// of the server's capacity (its concurrent streams are HTTP/2's to limit).
/// </para>
/// <para>Thread-safe and lock-free on admission; one instance serves every call through it (one limit per client).</para>
/// </remarks>
public sealed class ConcurrencyLimitInterceptor : Interceptor
{
    private readonly ConcurrencyLimiter limiter;
    private readonly OverloadTelemetry telemetry;
    private readonly TimeProvider time;

    /// <summary>Creates a concurrency limit from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The settings; validated, then copied, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock for attempts' latency; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where spells of refusals are logged (category <c>ResilientGrpc.Overload</c>); nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">A setting is invalid; the message names every invalid one.</exception>
    public ConcurrencyLimitInterceptor(
        ConcurrencyLimitOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory))
    {
    }

    /// <summary>Creates a concurrency limit with the services an entry point gives every interceptor it builds.</summary>
    internal ConcurrencyLimitInterceptor(ConcurrencyLimitOptions options, InterceptorServices services)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        limiter = new ConcurrencyLimiter(options, services.Time);
        time = services.Time;
        var metrics = OverloadMetrics.For(services.MeterFactory);
        telemetry = new OverloadTelemetry(OverloadRejectionReason.ConcurrencyLimit, services.Logger("Overload"), metrics, services.Time, services.Target);
        metrics.Observe(limiter, telemetry.Target);
        Calls = services.CallTelemetry();
    }

    /// <summary>The limit now: the most attempts in flight at once.</summary>
    public int CurrentLimit => limiter.Limit;

    /// <summary>The attempts in flight now.</summary>
    public int InFlight => limiter.InFlight;

    /// <summary>The attempts waiting in line for a slot now (<see cref="ConcurrencyLimitOptions.MaxQueueWait"/>).</summary>
    public int Waiting => limiter.Waiting;

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

    /// <summary>
    /// The one path of a unary attempt: admit it or refuse it (without reaching the network), start it, and free its slot
    /// when it ends, learned from the owner of several attempts above when it reports ends, else by observing it.
    /// </summary>
    internal TCall Intercept<TRequest, TResponse, TCall, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
    {
        var call = ResilienceCallContext.Of(context.Options, context.Method);
        var scope = Calls.Enter(ref context, ref call);
        if (!limiter.TryAcquire(out var token))
        {
            QueuedAttempt<TRequest, TResponse, TCall, TInvocation>? waiter = null;
            if (limiter.MaxQueueWait > TimeSpan.Zero && typeof(TCall) == typeof(AsyncUnaryCall<TResponse>))
            {
                // Only a unary attempt waits: the call object can be handed back before its attempt starts.
                waiter = new QueuedAttempt<TRequest, TResponse, TCall, TInvocation>(this, limiter, context, invocation);
            }

            var queued = false;
            if (waiter is null || !limiter.TryAcquireOrQueue(waiter, out token, out queued))
            {
                if (queued)
                {
                    // It frees its own slot: no owner above is told to watch it.
                    return scope.Track<TCall, TInvocation>(waiter!.Wait(time));
                }

                var refusal = Refusal(context.Method, context.Host, queued: false);
                scope.Refused(StatusCode.ResourceExhausted, refusal);
                return TInvocation.Fail(refusal);
            }
        }

        Admitted();
        var watched = call is not null && call.TryWatchAttempt(limiter, token);
        var observer = new LimitedAttempt(limiter, token, context.Options.CancellationToken);
        TCall started;
        try
        {
            started = invocation.Start(context);
        }
        catch (Exception error) when (observer.LocalError() || scope.Threw(error))
        {
            throw;
        }

        return scope.Track<TCall, TInvocation>(watched ? started : TInvocation.Observe(started, observer));
    }

    /// <summary>An attempt was admitted: logs the end of a spell of refusals if this ends one.</summary>
    internal void Admitted()
    {
        if (telemetry.Admitted(out var refusals))
        {
            OverloadLog.LimitRecovered(telemetry.Logger, telemetry.Target, refusals, limiter.Limit);
        }
    }

    /// <summary>Counts (and logs, first of a spell) an attempt refused at once or after waiting in line, and returns its error.</summary>
    internal OverloadRejectedException Refusal(IMethod method, string? host, bool queued)
    {
        var limit = limiter.Limit;
        telemetry.Refused(method, host, out var startsSpell);
        if (startsSpell)
        {
            OverloadLog.LimitReached(telemetry.Logger, telemetry.Target, limit, limiter.MaxQueueWait.TotalMilliseconds);
        }

        return new OverloadRejectedException(
            OverloadRejectionReason.ConcurrencyLimit,
            queued
                ? string.Create(
                    CultureInfo.InvariantCulture,
                    $"Refused locally: no slot of the concurrency limit of {limit} attempts in flight came within {limiter.MaxQueueWait.TotalMilliseconds:0.###} ms.")
                : $"Refused locally: the concurrency limit of {limit} attempts in flight is reached.");
    }
}
