using System.Diagnostics;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// An open-loop offered load on a schedule: call <c>i</c> starts when <c>schedule[i]</c> comes, whether or not earlier
/// calls finished, up to <paramref name="maxInFlight"/> at once; a call due while that many are in flight is not started
/// and is counted. Like <see cref="Infrastructure.OpenLoop"/>, for a rate that changes from phase to phase.
/// </summary>
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
        var calls = new List<Task>(schedule.Count);
        var notStarted = 0;
        for (var i = 0; i < schedule.Count; i++)
        {
            var wait = schedule[i] - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
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

        await Task.WhenAll(calls).WaitAsync(drain).ConfigureAwait(false);
        return notStarted;
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
