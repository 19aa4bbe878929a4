using System.Diagnostics;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// An open-loop offered load: call <c>i</c> starts at <c>i / callsPerSecond</c> whether or not earlier calls finished,
/// up to <paramref name="maxInFlight"/> at once; a call due while that many are in flight is shed and counted.
/// </summary>
/// <param name="callsPerSecond">How many calls start per second.</param>
/// <param name="maxInFlight">The most calls in flight at once.</param>
internal sealed class OpenLoop(int callsPerSecond, int maxInFlight)
{
    private int inFlight;

    /// <summary>
    /// Offers load for <paramref name="duration"/> measured on <paramref name="clock"/>, then waits up to
    /// <paramref name="drain"/> for the calls still running. <paramref name="beforeCall"/> runs when each call is due
    /// (shed or not) with its scheduled time; <paramref name="call"/> runs each call that is not shed.
    /// </summary>
    /// <returns>How many calls were shed.</returns>
    public async Task<int> RunAsync(Stopwatch clock, TimeSpan duration, TimeSpan drain, Action<TimeSpan> beforeCall, Func<long, Task> call)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(beforeCall);
        ArgumentNullException.ThrowIfNull(call);
        var interval = TimeSpan.FromSeconds(1.0 / callsPerSecond);
        var calls = new List<Task>();
        var shed = 0;
        for (var i = 0L; interval * i < duration; i++)
        {
            var due = interval * i;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }

            beforeCall(due);
            if (Volatile.Read(ref inFlight) >= maxInFlight)
            {
                shed++;
                continue;
            }

            Interlocked.Increment(ref inFlight);
            calls.Add(RunOneAsync(call, i));
        }

        await Task.WhenAll(calls).WaitAsync(drain).ConfigureAwait(false);
        return shed;
    }

    private async Task RunOneAsync(Func<long, Task> call, long ordinal)
    {
        try
        {
            await call(ordinal).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }
}
