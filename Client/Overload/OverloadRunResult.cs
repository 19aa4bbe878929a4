namespace ResilientGrpc.Client.Overload;

/// <summary>One run of the overload demo: its windows and what the breaker did.</summary>
/// <param name="Name">The run's short name.</param>
/// <param name="WithLibrary">Whether the calls went through the library's default stack.</param>
/// <param name="Description">The channel and stack in words.</param>
/// <param name="Windows">Every counting window, in order.</param>
/// <param name="BreakerOpenings">How often the breaker opened (or opened again after a failed probe); 0 without the library.</param>
/// <param name="Late">Calls that ended after the last window.</param>
/// <param name="Unfinished">Calls still running when the drain gave up.</param>
/// <param name="Timings">The timings the run used.</param>
internal sealed record OverloadRunResult(
    string Name,
    bool WithLibrary,
    string Description,
    IReadOnlyList<OverloadWindow> Windows,
    int BreakerOpenings,
    long Late,
    long Unfinished,
    OverloadTimings Timings)
{
    /// <summary>Gets the windows of the overload (2x capacity).</summary>
    public IReadOnlyList<OverloadWindow> OverloadWindows =>
        [.. Windows.Where(w => w.Index >= Timings.FirstOverloadWindow && w.Index < Timings.FirstAfterWindow)];

    /// <summary>Gets the calls answered during the overload, per second, as a share of the server's capacity.</summary>
    public double GoodputShare => OverloadWindows.Sum(w => w.Ok) / Seconds(OverloadWindows) / Timings.Capacity;

    /// <summary>Gets the attempts the server received per second during the overload, retries included.</summary>
    public double ReceivedPerSecondDuringOverload => OverloadWindows.Sum(w => w.Received) / Seconds(OverloadWindows);

    /// <summary>Gets the calls offered per second during the overload.</summary>
    public double OfferedPerSecondDuringOverload => OverloadWindows.Sum(w => w.Offered) / Seconds(OverloadWindows);

    /// <summary>Gets the calls the library refused locally for overload, in the whole run.</summary>
    public long RefusedLocally => Windows.Sum(w => w.RefusedLocally);

    /// <summary>Gets the calls the open circuit rejected, in the whole run.</summary>
    public long BreakerRejected => Windows.Sum(w => w.BreakerRejected);

    /// <summary>Gets a value indicating whether the breaker opened or rejected any call.</summary>
    public bool BreakerOpened => BreakerOpenings > 0 || BreakerRejected > 0;

    /// <summary>Gets the first window after the overload in which at least 99 % of the calls that ended succeeded; null when none did.</summary>
    public OverloadWindow? Recovery =>
        Windows.FirstOrDefault(w => w.Index >= Timings.FirstAfterWindow && w.Ended > 0 && w.SuccessRatio >= 0.99);

    /// <summary>The windows from <paramref name="first"/> up to, not including, <paramref name="end"/>, added up.</summary>
    public OverloadWindow Sum(int first, int end)
    {
        var range = Windows.Where(w => w.Index >= first && w.Index < end).ToList();
        return new OverloadWindow(
            first,
            Timings.Window * first,
            range.Sum(w => w.Offered),
            range.Sum(w => w.Ok),
            range.Sum(w => w.ServerUnavailable),
            range.Sum(w => w.DeadlineExceeded),
            range.Sum(w => w.RefusedLocally),
            range.Sum(w => w.BreakerRejected),
            range.Sum(w => w.OtherErrors),
            range.Sum(w => w.Received));
    }

    private double Seconds(IReadOnlyList<OverloadWindow> windows) => Math.Max(1, windows.Count) * Timings.Window.TotalSeconds;
}
