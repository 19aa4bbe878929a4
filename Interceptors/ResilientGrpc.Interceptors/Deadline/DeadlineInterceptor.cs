using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors.Deadline;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Interceptors;

/// <summary>
/// Bounds how long a call waits for the server. A unary call gets the deadline now + <see cref="DeadlineOptions.Timeout"/>
/// (or its per-method override) unless the caller's own is earlier; it travels as <c>grpc-timeout</c> and the call fails
/// with <see cref="StatusCode.DeadlineExceeded"/> when it passes. A stream gets no deadline from the timeout, which bounds
/// only the wait for its first response: a subscription lives as long as its caller wants, a hung server is still cut.
/// </summary>
/// <remarks>
/// Stack it innermost, below the <see cref="RetryInterceptor"/>: each attempt then gets min(now + timeout, the caller's
/// deadline). When a stream's first-response or idle limit passes, the call is cancelled (the server sees it) and the
/// caller, and the interceptors above, see <see cref="StatusCode.DeadlineExceeded"/> from whatever it awaits, reads or
/// writes; the caller's own cancellation stays <see cref="StatusCode.Cancelled"/>.
/// </remarks>
public sealed class DeadlineInterceptor : Interceptor
{
    private readonly TimeSpan timeout;
    private readonly FrozenDictionary<string, TimeSpan> methodTimeouts;
    private readonly FrozenDictionary<string, TimeSpan> streamIdleTimeouts;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<IMethod, DeadlineReport.Box> reports = new();

    /// <summary>Creates the interceptor from a copy of <paramref name="options"/>.</summary>
    /// <param name="options">The options; validated and copied here, so later changes have no effect.</param>
    /// <param name="timeProvider">The clock deadlines are computed from and stream limits run on; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="loggerFactory">Where calls that exceed their deadline, and streams cut by their first-response or idle limit, are logged (category <c>ResilientGrpc.Deadline</c>); nothing is logged when null.</param>
    /// <param name="meterFactory">Creates the <see cref="ResilienceTelemetry.MeterName"/> meter; a shared static meter is used when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">One or more options are invalid; the message names each of them.</exception>
    public DeadlineInterceptor(
        DeadlineOptions options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null)
        : this(options, InterceptorServices.From(timeProvider, loggerFactory, meterFactory))
    {
    }

    internal DeadlineInterceptor(DeadlineOptions options, InterceptorServices services)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        timeout = options.Timeout;
        methodTimeouts = options.MethodTimeouts.ToFrozenDictionary(StringComparer.Ordinal);
        streamIdleTimeouts = options.StreamIdleTimeouts.ToFrozenDictionary(StringComparer.Ordinal);
        time = services.Time;
        logger = services.Logger("Deadline");
        Calls = services.CallTelemetry();
    }

    internal CallTelemetry Calls { get; }

    /// <summary>Whether it logs calls that exceed their deadline, and so watches how each attempt ends.</summary>
    internal bool LogsDeadlines => logger.IsEnabled(LogLevel.Warning);

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        BlockingInvocation<TRequest, TResponse>.Wait(Unary<TRequest, TResponse, BlockingInvocation<TRequest, TResponse>>(context, new(request, continuation)));

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        Unary<TRequest, TResponse, UnaryInvocation<TRequest, TResponse>>(context, new(request, continuation));

    /// <summary>The one path of an async unary attempt: give it its deadline, start it, log if the deadline passes.</summary>
    internal AsyncUnaryCall<TResponse> Unary<TRequest, TResponse, TInvocation>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, AsyncUnaryCall<TResponse>>
    {
        var call = ResilienceCallContext.Of(context.Options, context.Method);
        var scope = Calls.Enter(ref context, ref call);
        try
        {
            var limited = WithDeadline(context, stream: false, out var report);

            // An owner of several attempts above that awaits each one reports its end: nothing wraps the attempt.
            var watched = report.IsActive && call is not null && call.TryWatchAttempt(ReportFor(context.Method), token: 0);
            var attempt = invocation.Start(limited);
            return scope.Track<AsyncUnaryCall<TResponse>, TInvocation>(report.IsActive && !watched ? TInvocation.Observe(attempt, report) : attempt);
        }
        catch (Exception error) when (scope.Threw(error))
        {
            throw;
        }
    }

    private DeadlineReport.Box ReportFor(IMethod method) =>
        reports.GetOrAdd(method, static (m, self) => new(new DeadlineReport(self.logger, m.Name, self.LimitOf(m, stream: false).TotalSeconds)), this);

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Stream<TRequest, TResponse, AsyncServerStreamingCall<TResponse>, ServerStreamingInvocation<TRequest, TResponse>,
            WatchedServerStreamingCall<TResponse>>(context, new(request, continuation));

    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Stream<TRequest, TResponse, AsyncClientStreamingCall<TRequest, TResponse>, ClientStreamingInvocation<TRequest, TResponse>,
            WatchedClientStreamingCall<TRequest, TResponse>>(context, new(continuation));

    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        Stream<TRequest, TResponse, AsyncDuplexStreamingCall<TRequest, TResponse>, DuplexStreamingInvocation<TRequest, TResponse>,
            WatchedDuplexStreamingCall<TRequest, TResponse>>(context, new(continuation));

    /// <summary>The one path of every stream kind: its whole-call deadline if one is set, and its watch if its limits need one.</summary>
    internal TCall Stream<TRequest, TResponse, TCall, TInvocation, TWatched>(ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        where TRequest : class
        where TResponse : class
        where TCall : class
        where TInvocation : struct, IInvocation<TRequest, TResponse, TCall>
        where TWatched : IWatchedKind<TCall>
    {
        var call = ResilienceCallContext.Of(context.Options, context.Method);
        var scope = Calls.Enter(ref context, ref call);
        try
        {
            var watch = WatchStream(ref context, TWatched.ClientStreaming);
            var attempt = invocation.Start(context);
            return scope.Track<TCall, TInvocation>(watch is null ? attempt : TWatched.Wrap(attempt, watch));
        }
        catch (Exception error) when (scope.Threw(error))
        {
            throw;
        }
    }

    private TimeSpan LimitOf(IMethod method, bool stream) =>
        MethodKey.TryGet(methodTimeouts, method, out var limit) ? limit : stream ? Timeout.InfiniteTimeSpan : timeout;

    // Stryker disable once Equality : at exactly DateTime.MaxValue - now, now + limit is DateTime.MaxValue too.
    private static DateTime Later(TimeSpan limit, DateTime now) =>
        limit == Timeout.InfiniteTimeSpan || limit >= DateTime.MaxValue - now ? DateTime.MaxValue : now + limit;

    /// <summary>Gives a stream its per-method deadline, if any, and the watch of its limits (null if none), whose token replaces the caller's.</summary>
    private StreamWatch? WatchStream<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, bool clientStreaming)
        where TRequest : class
        where TResponse : class
    {
        var callerToken = context.Options.CancellationToken;
        var callerDeadline = CallerDeadline.Of(context.Options);
        var idle = MethodKey.TryGet(streamIdleTimeouts, context.Method, out var configured) ? configured : Timeout.InfiniteTimeSpan;
        // A caller's deadline before the timeout's bounds the wait for a first response already (no deadline is DateTime.MaxValue).
        var firstResponse = timeout == Timeout.InfiniteTimeSpan || MethodKey.TryGet(methodTimeouts, context.Method, out _)
            || callerDeadline <= Later(timeout, time.GetUtcNow().UtcDateTime)
            ? Timeout.InfiniteTimeSpan
            : timeout;
        context = WithDeadline(context, stream: true, out var report);
        // Stryker disable once Logical,Block : a watch without a limit, or on a call cancelled already, never expires: skipping it saves its cost only.
        if ((firstResponse == Timeout.InfiniteTimeSpan && idle == Timeout.InfiniteTimeSpan) || callerToken.IsCancellationRequested)
        {
            return null;
        }

        var watch = new StreamWatch(
            time, callerToken, firstResponse, idle, clientStreaming, LogsDeadlines ? logger : null, context.Method.Name, report);
        context = new ClientInterceptorContext<TRequest, TResponse>(
            context.Method, context.Host, context.Options.WithCancellationToken(watch.Token));
        return watch;
    }

    /// <summary>The context with the call's deadline, unless the caller's is earlier; <paramref name="report"/> is set only if it set one.</summary>
    private ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, bool stream, out DeadlineReport report)
        where TRequest : class
        where TResponse : class
    {
        report = default;
        var limit = LimitOf(context.Method, stream);
        var deadline = Later(limit, time.GetUtcNow().UtcDateTime);
        if (CallerDeadline.Of(context.Options) <= deadline)
        {
            return context;
        }

        if (LogsDeadlines)
        {
            report = new DeadlineReport(logger, context.Method.Name, limit.TotalSeconds);
        }

        return new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(deadline));
    }
}
