using System.Diagnostics;

namespace ResilientGrpc.Client.Overload;

/// <summary>
/// The overload demo's open-loop offered load: calls start when they are due at the rate of the phase, whether or not
/// earlier calls have ended, so a slow server does not slow the load down. At each window's end it records what the
/// server received in that window and hands the window on.
/// </summary>
/// <remarks>
/// The schedule is kept by a thread of its own that sleeps a millisecond at a time, not by timers on the thread pool:
/// on a busy machine with hundreds of calls in flight, a timer's continuation can queue behind the calls' own work and
/// then start the calls it owes in a burst that is the demo's, not the offered load's.
/// </remarks>
internal sealed class OpenLoopLoad(OverloadTimings timings, WindowCounters counters, Func<long> serverReceived, Action<int> windowEnded)
{
    /// <summary>
    /// Offers the load on <paramref name="clock"/> (from zero); <paramref name="call"/> starts call number
    /// <c>n</c> and returns its task, which must not fault.
    /// </summary>
    /// <returns>The calls started, still running or not.</returns>
    public Task<List<Task>> RunAsync(Stopwatch clock, Func<long, Task> call)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(call);
        var offered = new TaskCompletionSource<List<Task>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                offered.SetResult(Offer(clock, call));
            }
            catch (Exception e)
            {
                offered.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "Overload demo load",
        };
        thread.Start();
        return offered.Task;
    }

    private List<Task> Offer(Stopwatch clock, Func<long, Task> call)
    {
        var calls = new List<Task>();
        var window = 0;
        var receivedBefore = serverReceived();
        long started = 0;
        while (window < counters.Count)
        {
            // The calls due by now, counted in the window now is in; when this thread wakes up late, several windows'
            // worth (all of them up to the end of the load) start at once, in the last window still open.
            var now = clock.Elapsed;
            var due = timings.CallsDueBy(now < timings.Total ? now : timings.Total);
            var current = Math.Min((int)(now / timings.Window), counters.Count - 1);
            for (; started < due; started++)
            {
                counters.Offered(current);
                calls.Add(call(started));
            }

            while (window < counters.Count && now >= timings.Window * (window + 1))
            {
                var received = serverReceived();
                counters.Received(window, received - receivedBefore);
                receivedBefore = received;
                windowEnded(window);
                window++;
            }

            if (window < counters.Count)
            {
                Thread.Sleep(1);
            }
        }

        return calls;
    }
}
