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

    /// <summary>
    /// Takes out the first attempt whose headers arrived while it still runs, if any; one whose headers came with its
    /// end (a trailers-only failure) or failed is marked seen, and its outcome decides it.
    /// </summary>
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

    /// <summary>Watches the headers of each attempt that has none watched yet, from <paramref name="headersOf"/>, calling <paramref name="onArrival"/> when they come.</summary>
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

    /// <summary>Cancels and disposes every attempt in flight (the server sees it); returns how many were still running.</summary>
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

    /// <summary>An attempt in flight; <see cref="Headers"/> is watched once the caller asks for headers, until seen.</summary>
    internal readonly record struct InFlightAttempt(TAttempt Call, Task<TResult> Outcome, int Number, Task<Metadata>? Headers = null, bool HeadersSeen = false);
}
