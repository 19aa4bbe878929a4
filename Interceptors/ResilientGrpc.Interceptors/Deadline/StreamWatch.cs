using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>Enforces one stream's first-response and idle limits on the call below, which carries <see cref="Token"/> (see docs/architecture.md).</summary>
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

    public bool Expired => expiry is not null;

    public bool IsExpiry(Exception error) => Expired && error is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException;

    public Status ExpiredStatus(Exception? cause) => new(StatusCode.DeadlineExceeded, expiry!, cause);

    public RpcException Expiry(Exception? cause = null) => new(ExpiredStatus(cause));

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

    public void Received()
    {
        Touch(always: true);
        Responded();
    }

    public void Wrote() => Touch(always: false);

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

    /// <summary>The call ended or was disposed: releases the timer and registration, and logs a passed deadline unless a limit expired.</summary>
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

    private void Touch(bool always)
    {
        if (idle != Timeout.InfiniteTimeSpan && (always || clientStreaming))
        {
            Volatile.Write(ref lastMessage, time.GetTimestamp());
        }
    }

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
    }
}

internal enum StreamLimit
{
    None,
    FirstResponse,
    Idle,
}

/// <summary>Where a <see cref="StreamWatch"/> is in the life of its stream; it only moves forward.</summary>
internal enum StreamPhase
{
    Writing,

    Waiting,

    Answered,

    Expired,

    Settled,
}
