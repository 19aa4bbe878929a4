namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>The wait before the next hedge of one call, on the injected clock: armed, fired, or disarmed for a new wait.</summary>
internal sealed class HedgeTimer(TimeProvider time)
{
    private CancellationTokenSource? source;

    /// <summary>The task that completes when the wait ends; null when disarmed.</summary>
    public Task? Fired { get; private set; }

    public bool IsArmed => Fired is not null;

    /// <summary>Starts a wait of <paramref name="wait"/>.</summary>
    public void Arm(TimeSpan wait)
    {
        source = new CancellationTokenSource();
        Fired = Task.Delay(wait, time, source.Token);
    }

    /// <summary>Whether <paramref name="done"/> is this wait ending; it is then disarmed.</summary>
    public bool HasFired(Task done)
    {
        if (Fired is null || !ReferenceEquals(done, Fired))
        {
            return false;
        }

        Disarm();
        return true;
    }

    /// <summary>Stops the wait, if any; its task is never awaited again.</summary>
    public void Disarm()
    {
        if (source is { } running)
        {
            running.Cancel();
            running.Dispose();
        }

        source = null;
        Fired = null;
    }
}
