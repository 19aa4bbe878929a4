using System.Globalization;
using ResilientGrpc.Client.Calls;

namespace ResilientGrpc.Client.Load;

/// <summary>
/// Starts calls at a steady rate with a cap on calls in flight, until the duration ends or it is stopped.
/// When every slot is busy (for example while attempts back off) the next call waits for a free slot.
/// </summary>
internal sealed class LoadGenerator(ProcessCaller caller, double rate, int concurrency, TimeProvider timeProvider)
{
    /// <summary>How long in-flight calls may take to finish once no new call starts.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Sends load.</summary>
    /// <param name="duration">How long to start calls; null until <paramref name="stopping"/>.</param>
    /// <param name="stopping">Stops at once: in-flight calls are cancelled.</param>
    public async Task RunAsync(TimeSpan? duration, CancellationToken stopping)
    {
        using var timeUp = duration is { } length ? new CancellationTokenSource(length, timeProvider) : new CancellationTokenSource();
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeUp.Token);
        using var slots = new SemaphoreSlim(concurrency, concurrency);
        var interval = TimeSpan.FromSeconds(1 / rate);
        var schedule = new RateSchedule(interval, timeProvider);
        long sequence = 0;
        try
        {
            while (true)
            {
                await slots.WaitAsync(starting.Token);
                var id = "load-" + (++sequence).ToString(CultureInfo.InvariantCulture);
                _ = CallAndReleaseAsync(id, slots, stopping);
                await Task.Delay(schedule.NextDelay(), timeProvider, starting.Token);
            }
        }
        catch (OperationCanceledException) when (starting.IsCancellationRequested)
        {
            // Duration over or stopped: let the calls in flight finish (cancelled if stopping).
        }

        await DrainAsync(slots);
    }

    private async Task CallAndReleaseAsync(string id, SemaphoreSlim slots, CancellationToken stopping)
    {
        try
        {
            await caller.CallAsync(id, stopping);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Waits until every slot is free again, that is no call is in flight; bounded by <see cref="DrainTimeout"/>.</summary>
    private async Task DrainAsync(SemaphoreSlim slots)
    {
        using var bound = new CancellationTokenSource(DrainTimeout, timeProvider);
        try
        {
            for (var i = 0; i < concurrency; i++)
            {
                await slots.WaitAsync(bound.Token);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            // A call outlived the bound; the process ends anyway.
        }
    }
}
