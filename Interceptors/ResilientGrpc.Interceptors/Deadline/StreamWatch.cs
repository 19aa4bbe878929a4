using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// Enforces one stream's first-response and idle limits on the call below, which carries <see cref="Token"/> instead of
/// the caller's. One timer is set for the next limit that may pass; a message only records when it came, and a timer
/// firing before the idle limit has passed is set again. The <see cref="WatchedCall"/> tells it what caller and server do.
/// </summary>
/// <remarks>
/// The caller's token cancels <see cref="Token"/> too, so its cancellation stays CANCELLED with the caller's token
/// cancelled, which the breaker above ignores. An expiry cancels <see cref="Token"/> (the server sees it) and every
/// CANCELLED the call reports afterwards becomes DEADLINE_EXCEEDED (<see cref="IsExpiry"/>), which the breaker
/// counts. One lock guards the phase and the timer; disposing the timer, cancelling and logging run outside it. Settling
/// releases the timer and the caller-token registration; the token source has no link or timer, so needs no disposal.
/// A client-streaming call waits for its answer from the end of its request stream, and its writes restart the idle
/// clock; the logger is null when warnings are not logged; the call's deadline report is logged if that deadline passes.
/// </remarks>
internal sealed class StreamWatch(
    TimeProvider time, CancellationToken callerToken, TimeSpan firstResponse, TimeSpan idle, bool clientStreaming, ILogger? logger, string method, DeadlineReport callDeadline)
{
    // The longest due time a timer accepts (about 49.7 days); a longer limit is set again when the timer fires.
    private static readonly TimeSpan LongestDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Lock gate = new();
    private readonly CancellationTokenSource source = new();
    private CancellationTokenRegistration callerRegistration;
    private ITimer? timer;
    private volatile StreamPhase phase;
    private volatile string? expiry;
    private long waitStart;
    private long lastMessage;

    public CancellationToken Token => source.Token;

    /// <summary>Whether a limit has passed and cancelled the call.</summary>
    public bool Expired => expiry is not null;

    /// <summary>Whether <paramref name="error"/> is the call below reporting the cancellation an expiry caused.</summary>
    public bool IsExpiry(Exception error) => Expired && error is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException;

    /// <summary>The status the caller sees once a limit has passed, saying which.</summary>
    public Status ExpiredStatus(Exception? cause) => new(StatusCode.DeadlineExceeded, expiry!, cause);

    /// <summary>The error the caller sees once a limit has passed.</summary>
    public RpcException Expiry(Exception? cause = null) => new(ExpiredStatus(cause));

    /// <summary>Starts watching the call below, once it has started; learns when its response headers arrive.</summary>
    public void Start(Task<Metadata> responseHeaders)
    {
        if (callerToken.CanBeCanceled)
        {
            // Registered only now that the call below exists, so a continuation that throws leaves nothing behind.
            callerRegistration = callerToken.UnsafeRegister(static s => ((StreamWatch)s!).source.Cancel(), this);
        }

        lock (gate)
        {
            // The first arming: there is no timer yet to replace.
            waitStart = lastMessage = time.GetTimestamp();
            phase = clientStreaming ? StreamPhase.Writing : StreamPhase.Waiting;
            Rearm_NeedsLock(waitStart);
        }

        responseHeaders.ContinueWith(
            static (headers, s) => ((StreamWatch)s!).OnHeaders(headers),
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The server answered (response headers or a message): the first-response limit no longer applies.</summary>
    public void Responded()
    {
        if (phase >= StreamPhase.Answered)
        {
            return;
        }

        ITimer? stale = null;
        lock (gate)
        {
            if (phase < StreamPhase.Answered)
            {
                phase = StreamPhase.Answered;
                stale = idle == Timeout.InfiniteTimeSpan ? Interlocked.Exchange(ref timer, null) : null;
            }
        }

        stale?.Dispose();
    }

    /// <summary>A message arrived: the server has answered, and the idle clock restarts.</summary>
    public void Received()
    {
        Touch(always: true);
        Responded();
    }

    /// <summary>The caller wrote a message: for a client-streaming call, the idle clock restarts.</summary>
    public void Wrote() => Touch(always: false);

    /// <summary>The caller completed its request stream: a client-streaming call's wait for its answer begins.</summary>
    public void RequestCompleted()
    {
        if (!clientStreaming)
        {
            return;
        }

        Touch(always: true);
        ITimer? stale = null;
        lock (gate)
        {
            if (phase == StreamPhase.Writing)
            {
                phase = StreamPhase.Waiting;
                waitStart = time.GetTimestamp();
                stale = Rearm_NeedsLock(waitStart);
            }
        }

        stale?.Dispose();
    }

    /// <summary>
    /// The call ended (<paramref name="error"/> null for OK) or was disposed: releases the timer and the registration. A
    /// watched stream's deadline is logged here, so that an expiry is not also logged as one.
    /// </summary>
    public void Settle(Exception? error = null)
    {
        if (Move(StreamPhase.Settled) is not { } before)
        {
            return;
        }

        callerRegistration.Unregister();
        if (before != StreamPhase.Expired)
        {
            callDeadline.OnEnded(error, default);
        }
    }

    private void OnTimer()
    {
        StreamLimit passed;
        ITimer? stale;
        lock (gate)
        {
            if (phase >= StreamPhase.Expired)
            {
                return;
            }

            var now = time.GetTimestamp();
            passed = Check_NeedsLock(now, out _);
            stale = passed == StreamLimit.None ? Rearm_NeedsLock(now) : null;
        }

        stale?.Dispose();
        if (passed != StreamLimit.None && Move(StreamPhase.Expired) is not null && !source.IsCancellationRequested)
        {
            // Unless the caller cancelled first (the call then ends CANCELLED), the limit's expiry cancels the call.
            var idled = passed == StreamLimit.Idle;
            expiry = idled
                ? string.Create(CultureInfo.InvariantCulture, $"The stream was idle for {idle.TotalSeconds:0.###} s.")
                : string.Create(CultureInfo.InvariantCulture, $"The stream got no response within {firstResponse.TotalSeconds:0.###} s.");
            source.Cancel();
            if (logger is not null && idled)
            {
                DeadlineLog.StreamIdleTimedOut(logger, method, idle.TotalSeconds);
            }
            else if (logger is not null)
            {
                DeadlineLog.StreamFirstResponseTimedOut(logger, method, firstResponse.TotalSeconds);
            }
        }
    }

    /// <summary>Moves to <paramref name="to"/> (Expired or Settled) and drops the timer; returns the phase before, or null if already there.</summary>
    private StreamPhase? Move(StreamPhase to)
    {
        StreamPhase before;
        ITimer? stale;
        lock (gate)
        {
            before = phase;
            if (before >= to)
            {
                return null;
            }

            phase = to;
            stale = Interlocked.Exchange(ref timer, null);
        }

        stale?.Dispose();
        return before;
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

    /// <summary>Restarts the idle clock; a message written restarts it only for a client-streaming call (not <paramref name="always"/>).</summary>
    private void Touch(bool always)
    {
        if (idle != Timeout.InfiniteTimeSpan && (always || clientStreaming))
        {
            Volatile.Write(ref lastMessage, time.GetTimestamp());
        }
    }

    /// <summary>Which limit has passed at <paramref name="now"/>, or none and how long until the next one may.</summary>
    private StreamLimit Check_NeedsLock(long now, out TimeSpan next)
    {
        next = Timeout.InfiniteTimeSpan;
        if (phase == StreamPhase.Waiting && firstResponse != Timeout.InfiniteTimeSpan)
        {
            next = firstResponse - time.GetElapsedTime(waitStart, now);
            if (next <= TimeSpan.Zero)
            {
                return StreamLimit.FirstResponse;
            }
        }

        if (idle != Timeout.InfiniteTimeSpan)
        {
            var idleLeft = idle - time.GetElapsedTime(Volatile.Read(ref lastMessage), now);
            if (idleLeft <= TimeSpan.Zero)
            {
                return StreamLimit.Idle;
            }

            next = next == Timeout.InfiniteTimeSpan || idleLeft < next ? idleLeft : next;
        }

        return StreamLimit.None;
    }

    /// <summary>Sets the timer for the next limit that may pass; returns a timer no longer needed, to dispose outside the lock.</summary>
    private ITimer? Rearm_NeedsLock(long now)
    {
        Check_NeedsLock(now, out var next);
        if (next == Timeout.InfiniteTimeSpan)
        {
            return Interlocked.Exchange(ref timer, null);
        }

        next = next > LongestDue ? LongestDue : next;
        if (timer is null)
        {
            timer = time.CreateTimer(static s => ((StreamWatch)s!).OnTimer(), this, next, Timeout.InfiniteTimeSpan);
        }
        else
        {
            timer.Change(next, Timeout.InfiniteTimeSpan);
        }

        return null;
    }}

/// <summary>Which limit of a <see cref="StreamWatch"/> passed.</summary>
internal enum StreamLimit
{
    None,
    FirstResponse,
    Idle,
}

/// <summary>Where a <see cref="StreamWatch"/> is in the life of its stream; it only moves forward.</summary>
internal enum StreamPhase
{
    /// <summary>A client-streaming caller is still writing: the wait for the answer has not begun.</summary>
    Writing,

    Waiting,

    /// <summary>The server has answered; only the idle limit, if any, remains.</summary>
    Answered,

    /// <summary>A limit passed; the timer is gone.</summary>
    Expired,

    /// <summary>The call ended or was disposed; the timer is gone.</summary>
    Settled,
}
