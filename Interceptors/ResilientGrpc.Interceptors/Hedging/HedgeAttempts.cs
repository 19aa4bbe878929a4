using System.Threading.Tasks.Sources;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>A hedged call's attempts in flight, in the order sent, with their outcome and headers tasks; used by its loop only.</summary>
internal sealed class HedgeAttempts<TAttempt, TResult>(int capacity)
    where TAttempt : class, IDisposable
{
    private readonly InFlightAttempt[] attempts = new InFlightAttempt[capacity];

    public int Count { get; private set; }

    public void Add(TAttempt call, Task<TResult> outcome, int number) => attempts[Count++] = new InFlightAttempt(call, outcome, number);

    public bool TryTakeEnded(out InFlightAttempt ended)
    {
        for (var i = 0; i < Count; i++)
        {
            if (attempts[i].Outcome.IsCompleted)
            {
                ended = RemoveAt(i);
                return true;
            }
        }

        ended = default;
        return false;
    }

    /// <summary>Takes out the first attempt whose headers arrived while it runs; others with headers are marked seen, left to their outcome.</summary>
    public bool TryTakeAnswering(Func<TAttempt, bool> hasEnded, out InFlightAttempt answering)
    {
        for (var i = 0; i < Count; i++)
        {
            if (attempts[i] is { HeadersSeen: false, Headers.IsCompleted: true } attempt)
            {
                if (attempt.Headers.IsCompletedSuccessfully && !hasEnded(attempt.Call))
                {
                    answering = RemoveAt(i);
                    return true;
                }

                attempts[i] = attempt with { HeadersSeen = true };
            }
        }

        answering = default;
        return false;
    }

    public void WatchHeaders(Func<TAttempt, Task<Metadata>> headersOf, Action onArrival)
    {
        for (var i = 0; i < Count; i++)
        {
            if (attempts[i].Headers is null)
            {
                var headers = headersOf(attempts[i].Call);
                TaskFaults.Observe(headers);
                attempts[i] = attempts[i] with { Headers = headers };
                headers.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(onArrival);
            }
        }
    }

    public int CancelAll()
    {
        var running = 0;
        for (var i = 0; i < Count; i++)
        {
            if (!attempts[i].Outcome.IsCompleted)
            {
                running++;
            }

            attempts[i].Call.Dispose();
            TaskFaults.Observe(attempts[i].Outcome);
            attempts[i] = default;
        }

        Count = 0;
        return running;
    }

    private InFlightAttempt RemoveAt(int index)
    {
        var taken = attempts[index];
        Array.Copy(attempts, index + 1, attempts, index, Count - index - 1);
        attempts[--Count] = default;
        return taken;
    }

    internal readonly record struct InFlightAttempt(TAttempt Call, Task<TResult> Outcome, int Number, Task<Metadata>? Headers = null, bool HeadersSeen = false);
}

/// <summary>The wait before a hedged call's next hedge, on the injected clock.</summary>
// Each arming is numbered: a timer's callback may run after its disposal, and must not pass for the current arming's.
internal struct HedgeTimer
{
    private ITimer? timer;
    private int arming;
    private int fired;

    public readonly bool IsArmed => timer is not null;

    public void Arm<TOwner>(TimeProvider time, TimeSpan wait, Action<TOwner, int> onFired, TOwner owner)
        where TOwner : class
    {
        var number = Interlocked.Increment(ref arming);
        timer = time.CreateTimer(static s => ((Fired<TOwner>)s!).Raise(), new Fired<TOwner>(onFired, owner, number), wait, Timeout.InfiniteTimeSpan);
    }

    public void Fire(int number)
    {
        if (number == Volatile.Read(ref arming))
        {
            Interlocked.Exchange(ref fired, 1);
        }
    }

    public bool TakeFired()
    {
        if (Interlocked.Exchange(ref fired, 0) == 0)
        {
            return false;
        }

        Disarm();
        return true;
    }

    public void Disarm()
    {
        Interlocked.Increment(ref arming);
        Interlocked.Exchange(ref timer, null)?.Dispose();
        Interlocked.Exchange(ref fired, 0);
    }

    private sealed record Fired<TOwner>(Action<TOwner, int> OnFired, TOwner Owner, int Number)
    {
        public void Raise() => OnFired(Owner, Number);
    }
}

/// <summary>A loop's one reusable wait, armed before the loop looks; waiting allocates nothing, and resumes on the thread pool.</summary>
// Only the loop arms; any thread may wake. A waker claims the armed state before it completes the wait, and the loop
// takes the state back before it resets, so a reset never overlaps a completion and each arming completes at most once.
internal sealed class WakeSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Armed = 1;
    private const int Waking = 2;
    private const int Woken = 3;

    private ManualResetValueTaskSourceCore<bool> core = new() { RunContinuationsAsynchronously = true };
    private int state;

    public void Arm()
    {
        var spin = default(SpinWait);
        while (true)
        {
            var seen = Volatile.Read(ref state);
            if (seen != Waking && Interlocked.CompareExchange(ref state, Idle, seen) == seen)
            {
                break;
            }

            spin.SpinOnce();
        }

        core.Reset();
        Volatile.Write(ref state, Armed);
    }

    public void Wake()
    {
        if (Interlocked.CompareExchange(ref state, Waking, Armed) == Armed)
        {
            core.SetResult(true);
            Volatile.Write(ref state, Woken);
        }
    }

    public ValueTask WaitAsync() => new(this, core.Version);

    public ValueTaskSourceStatus GetStatus(short token) => core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, token, flags);

    public void GetResult(short token) => core.GetResult(token);
}
