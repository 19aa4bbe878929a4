using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// Enforces one stream's first-response and idle limits (timed by its <see cref="StreamClock"/>) on the call below,
/// which carries <see cref="Token"/> instead of the caller's token. The watched call of each stream kind tells it what
/// the caller and the server do, through <see cref="StreamWatchOperations"/>.
/// </summary>
/// <remarks>
/// <para>
/// The caller's token cancels <see cref="Token"/> too, so the caller's cancellation reaches the call below and stays
/// CANCELLED, with the caller's token cancelled: the circuit breaker above ignores it. When a limit passes, the watch
/// cancels <see cref="Token"/>, so the call is cancelled on the wire and the server sees it, and every CANCELLED the
/// call reports afterwards becomes DEADLINE_EXCEEDED (<see cref="IsExpiry"/>), which the breaker counts.
/// </para>
/// <para>
/// When the call settles (its stream or response ended, or the caller disposed it) the timer, the registration on the
/// caller's token and the token source are released; the source only once no cancellation is running on it.
/// </para>
/// </remarks>
internal sealed class StreamWatch : StreamClock
{
    private readonly CancellationTokenSource source = new();
    private readonly CancellationToken callerToken;
    private readonly ILogger? logger;
    private readonly string method;
    private readonly DeadlineReport callDeadline;
    private CancellationTokenRegistration callerRegistration;
    private volatile Limit expired;
    private int cancellers;
    private int sourceDisposed;

    /// <param name="time">The clock of the limits.</param>
    /// <param name="callerToken">The caller's token; it cancels <see cref="Token"/> too.</param>
    /// <param name="limits">The limits; at least one is set.</param>
    /// <param name="clientStreaming">
    /// A client-streaming call: the wait for the answer begins when the caller completes its request stream, and the
    /// messages it writes restart the idle clock.
    /// </param>
    /// <param name="logger">Where an expiry is logged; null when warnings are not logged.</param>
    /// <param name="method">The method name the log events carry.</param>
    /// <param name="callDeadline">What to log if the whole-call deadline this interceptor set passes; empty for none.</param>
    public StreamWatch(
        TimeProvider time,
        CancellationToken callerToken,
        StreamLimits limits,
        bool clientStreaming,
        ILogger? logger,
        string method,
        in DeadlineReport callDeadline)
        : base(time, limits, clientStreaming)
    {
        this.callerToken = callerToken;
        this.logger = logger;
        this.method = method;
        this.callDeadline = callDeadline;
        Token = source.Token;
    }

    /// <summary>The token the call below carries instead of the caller's.</summary>
    public CancellationToken Token { get; }

    /// <summary>Whether a limit has passed and cancelled the call.</summary>
    public bool Expired => expired != Limit.None;

    /// <summary>Whether <paramref name="error"/> is the call below reporting the cancellation an expiry caused.</summary>
    public bool IsExpiry(Exception error) =>
        Expired && error is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException;

    /// <summary>The status the caller sees once a limit has passed.</summary>
    public Status ExpiredStatus(Exception? cause = null) => new(
        StatusCode.DeadlineExceeded,
        expired == Limit.Idle
            ? string.Create(CultureInfo.InvariantCulture, $"The stream was idle for {Limits.Idle.TotalSeconds:0.###} s.")
            : string.Create(CultureInfo.InvariantCulture, $"The stream got no response within {Limits.FirstResponse.TotalSeconds:0.###} s."),
        cause);

    /// <summary>The call's status as the caller sees it: DEADLINE_EXCEEDED instead of the CANCELLED an expiry caused.</summary>
    public Status StatusOf(Status status) =>
        Expired && status.StatusCode == StatusCode.Cancelled ? ExpiredStatus() : status;

    /// <summary>Starts watching the call below, once it has started; learns when its response headers arrive.</summary>
    public void Start(Task<Metadata> responseHeaders)
    {
        if (callerToken.CanBeCanceled)
        {
            // Registered only now that the call below exists, so a continuation that throws leaves nothing behind.
            callerRegistration = callerToken.UnsafeRegister(static s => ((StreamWatch)s!).Cancel(), this);
        }

        StartClock();
        responseHeaders.ContinueWith(
            static (headers, s) => ((StreamWatch)s!).OnHeaders(headers),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// The call ended (<paramref name="error"/> null for OK) or was disposed: releases the timer, the registration and
    /// the token source. A watched stream's deadline is logged here, so that an expiry is not also logged as one.
    /// </summary>
    public void Settle(Exception? error = null)
    {
        if (!StopClock())
        {
            return;
        }

        callerRegistration.Unregister();
        if (Interlocked.CompareExchange(ref cancellers, 0, 0) == 0)
        {
            DisposeSource();
        }

        if (!Expired)
        {
            callDeadline.OnEnded(error, default);
        }
    }

    protected override void OnExpired(Limit passed)
    {
        if (source.IsCancellationRequested)
        {
            // The caller cancelled first: the call ends CANCELLED.
            return;
        }

        expired = passed;
        Cancel();
        if (logger is null)
        {
            return;
        }

        if (passed == Limit.Idle)
        {
            DeadlineLog.StreamIdleTimedOut(logger, method, Limits.Idle.TotalSeconds);
        }
        else
        {
            DeadlineLog.StreamFirstResponseTimedOut(logger, method, Limits.FirstResponse.TotalSeconds);
        }
    }

    private void OnHeaders(Task<Metadata> headers)
    {
        if (headers.IsCompletedSuccessfully)
        {
            Responded();
            return;
        }

        // The call ended without an answer; its stream or response reports how. Reading the error observes it.
        Settle(headers.Exception?.InnerException);
    }

    /// <summary>Cancels the call below (a limit passed, or the caller cancelled) unless it has settled.</summary>
    private void Cancel()
    {
        Interlocked.Increment(ref cancellers);
        try
        {
            if (!IsSettled)
            {
                source.Cancel();
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref cancellers) == 0 && IsSettled)
            {
                DisposeSource();
            }
        }
    }

    private void DisposeSource()
    {
        if (Interlocked.Exchange(ref sourceDisposed, 1) == 0)
        {
            source.Dispose();
        }
    }
}
