using Grpc.Core;
using System.Diagnostics.Metrics;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Gives every call a deadline: now + <see cref="DeadlineOptions.Timeout"/> (or the per-method override) unless the
/// caller's own deadline is earlier. Applies to all four call kinds; the deadline travels to the server as
/// <c>grpc-timeout</c> and the channel fails the call with <see cref="StatusCode.DeadlineExceeded"/> when it passes.
/// </summary>
/// <remarks>
/// Stack it innermost, below the <see cref="RetryInterceptor"/>: each attempt then gets
/// min(now + timeout, the caller's overall deadline).
/// </remarks>
public sealed class DeadlineInterceptor : Interceptor
{
    private readonly TimeSpan timeout;
    private readonly Dictionary<string, TimeSpan> methodTimeouts;
    private readonly TimeProvider time;
    private readonly ILogger logger;

    /// <summary>Creates the interceptor from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The options; copied and validated here, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock deadlines are computed from; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where calls that exceed their deadline are logged (category <c>ResilientGrpc.Deadline</c>); nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">One or more options are invalid; the message names each of them.</exception>
    public DeadlineInterceptor(
        DeadlineOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        copy.Validate();
        timeout = copy.Timeout;
        methodTimeouts = (Dictionary<string, TimeSpan>)copy.MethodTimeouts;
        time = timeProvider ?? TimeProvider.System;
        logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger(ResilienceTelemetry.LoggerCategoryPrefix + ".Deadline");
        Calls = new CallTelemetry(ResilienceMetrics.For(meterFactory), time);
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
        var limited = WithDeadline(context, out var report);
        return Calls.RunBlocking(request, limited, continuation, call, ownsCall, report);
    }

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        var limited = WithDeadline(context, out var report);
        var start = Calls.AttemptStart(call);
        return Calls.Track(continuation(request, limited), call, ownsCall, start, report);
    }

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        var limited = WithDeadline(context, out var report);
        var start = Calls.AttemptStart(call);
        return Calls.Track(continuation(request, limited), call, ownsCall, start, report);
    }

    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        var limited = WithDeadline(context, out var report);
        var start = Calls.AttemptStart(call);
        return Calls.Track(continuation(limited), call, ownsCall, start, report);
    }

    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = Calls.Enter(ref context, out var ownsCall);
        var limited = WithDeadline(context, out var report);
        var start = Calls.AttemptStart(call);
        return Calls.Track(continuation(limited), call, ownsCall, start, report);
    }

    /// <summary>The deadline a call to <paramref name="method"/> gets, given the caller's own (null: none).</summary>
    internal DateTime? DeadlineFor(IMethod method, DateTime? callerDeadline)
    {
        var limit = MethodKey.TryGet(methodTimeouts, method, out var overridden) ? overridden : timeout;
        if (limit == Timeout.InfiniteTimeSpan)
        {
            return callerDeadline;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var ours = limit >= DateTime.MaxValue - now ? DateTime.MaxValue : now + limit;
        return callerDeadline is { } caller && caller.ToUniversalTime() <= ours ? callerDeadline : ours;
    }

    /// <summary>
    /// The context with the call's deadline, and what to log if the call exceeds a deadline this interceptor set.
    /// </summary>
    private ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, out DeadlineReport report)
        where TRequest : class
        where TResponse : class
    {
        report = default;
        var callerDeadline = context.Options.Deadline is { } d && d != DateTime.MaxValue ? d : (DateTime?)null;
        var deadline = DeadlineFor(context.Method, callerDeadline);
        if (deadline == callerDeadline)
        {
            return context;
        }

        if (logger.IsEnabled(LogLevel.Warning))
        {
            var budget = deadline!.Value - time.GetUtcNow().UtcDateTime;
            report = new DeadlineReport(logger, context.Method.Name, budget.TotalSeconds);
        }

        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(deadline!.Value));
    }
}
