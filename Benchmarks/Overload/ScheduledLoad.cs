using System.Diagnostics;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// An open-loop offered load on a schedule: call <c>i</c> starts when <c>schedule[i]</c> comes, whether or not earlier
/// calls finished, up to <paramref name="maxInFlight"/> at once; a call due while that many are in flight is not started
/// and is counted. Like <see cref="Infrastructure.OpenLoop"/>, for a rate that changes from phase to phase.
/// </summary>
/// <remarks>
/// The schedule is kept by a thread of its own that sleeps a millisecond at a time, not by timers on the thread pool:
/// with two cores and thousands of calls in flight, a timer's continuation can queue behind the calls' own work, and the
/// calls it owes would then start together, in a burst that is the harness's, not the offered load's.
/// </remarks>
/// <param name="schedule">When each call is due, from the start of the run, in order.</param>
/// <param name="maxInFlight">The most calls in flight at once.</param>
internal sealed class ScheduledLoad(IReadOnlyList<TimeSpan> schedule, int maxInFlight)
{
    private int inFlight;

    /// <summary>
    /// Offers the load on <paramref name="clock"/>, then waits up to <paramref name="drain"/> for the calls still running.
    /// <paramref name="beforeCall"/> runs when each call is due (started or not) with its due time; <paramref name="call"/>
    /// runs each call that is started, with its ordinal.
    /// </summary>
    /// <returns>How many calls were not started because <c>maxInFlight</c> were in flight.</returns>
    public async Task<int> RunAsync(Stopwatch clock, TimeSpan drain, Action<TimeSpan> beforeCall, Func<long, Task> call)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(beforeCall);
        ArgumentNullException.ThrowIfNull(call);
        var offered = new TaskCompletionSource<(List<Task> Calls, int NotStarted)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                offered.SetResult(Offer(clock, beforeCall, call));
            }
            catch (Exception e)
            {
                offered.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "Overload load",
        };
        thread.Start();
        var (calls, notStarted) = await offered.Task.ConfigureAwait(false);
        await Task.WhenAll(calls).WaitAsync(drain).ConfigureAwait(false);
        return notStarted;
    }

    private (List<Task> Calls, int NotStarted) Offer(Stopwatch clock, Action<TimeSpan> beforeCall, Func<long, Task> call)
    {
        var calls = new List<Task>(schedule.Count);
        var notStarted = 0;
        for (var i = 0; i < schedule.Count; i++)
        {
            var wait = schedule[i] - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(Math.Max(1, (int)wait.TotalMilliseconds));
            }

            beforeCall(schedule[i]);
            if (Volatile.Read(ref inFlight) >= maxInFlight)
            {
                notStarted++;
                continue;
            }

            _ = Interlocked.Increment(ref inFlight);
            calls.Add(RunOneAsync(call, i));
        }

        return (calls, notStarted);
    }

    private async Task RunOneAsync(Func<long, Task> call, long ordinal)
    {
        try
        {
            await call(ordinal).ConfigureAwait(false);
        }
        finally
        {
            _ = Interlocked.Decrement(ref inFlight);
        }
    }
}
