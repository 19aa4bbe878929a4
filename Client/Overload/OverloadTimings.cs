namespace ResilientGrpc.Client.Overload;

/// <summary>
/// The overload demo's server and load. By default the server has 8 handlers busy 20 ms per call (400 calls/s), and
/// each run offers half that for 5 s, twice that for 10 s, and half again for 5 s, counted in windows of 1 s.
/// </summary>
internal sealed record OverloadTimings
{
    /// <summary>The share of capacity offered before and after the overload.</summary>
    public const double LowLoad = 0.5;

    /// <summary>The share of capacity offered during the overload.</summary>
    public const double HighLoad = 2.0;

    /// <summary>Gets how many calls the server serves at once.</summary>
    public int Handlers { get; init; } = 8;

    /// <summary>Gets how long a handler is busy with one call.</summary>
    public TimeSpan ServiceTime { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Gets the length of the phase at half capacity before the overload.</summary>
    public TimeSpan Before { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the length of the overload, at twice capacity.</summary>
    public TimeSpan Overload { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the length of the phase at half capacity after the overload.</summary>
    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the length of one counting window (one status line each); the phases should be whole multiples of it.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the deadline of each call in the run without the library (the library's default attempt deadline).</summary>
    public TimeSpan BareDeadline { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets how long the calls still in flight when the load ends may take to finish.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Gets how far, as a share of capacity, goodput with the library may fall below goodput without it during the
    /// overload before the story check fails.
    /// </summary>
    public double GoodputTolerance { get; init; } = 0.05;

    /// <summary>Gets the calls per second the server can serve: handlers ÷ service time.</summary>
    public double Capacity => Handlers / ServiceTime.TotalSeconds;

    /// <summary>Gets the length of a run's load.</summary>
    public TimeSpan Total => Before + Overload + After;

    /// <summary>Gets the number of counting windows in a run.</summary>
    public int Windows => (int)Math.Round(Total / Window);

    /// <summary>Gets the first window of the overload.</summary>
    public int FirstOverloadWindow => (int)Math.Round(Before / Window);

    /// <summary>Gets the first window after the overload.</summary>
    public int FirstAfterWindow => (int)Math.Round((Before + Overload) / Window);

    /// <summary>Gets the default timings (about 20 s of load a run).</summary>
    public static OverloadTimings Default { get; } = new();

    /// <summary>
    /// Gets the timings of <c>--fast</c>: half the load time (2 s, 5 s, 3 s), still in whole 1 s windows, with 3 s after the
    /// overload so a recovery can show.
    /// </summary>
    public static OverloadTimings Fast { get; } = new()
    {
        Before = TimeSpan.FromSeconds(2),
        Overload = TimeSpan.FromSeconds(5),
        After = TimeSpan.FromSeconds(3),
    };

    /// <summary>The calls per second offered <paramref name="elapsed"/> after the start of the load.</summary>
    public double RateAt(TimeSpan elapsed) =>
        Capacity * (elapsed >= Before && elapsed < Before + Overload ? HighLoad : LowLoad);

    /// <summary>How many calls the open-loop load has made due <paramref name="elapsed"/> after its start: the rate of each phase over its time.</summary>
    public long CallsDueBy(TimeSpan elapsed)
    {
        static double Seconds(TimeSpan from, TimeSpan length, TimeSpan at) =>
            Math.Clamp((at - from).TotalSeconds, 0, length.TotalSeconds);

        var low = Capacity * LowLoad;
        var high = Capacity * HighLoad;
        var calls = (low * Seconds(TimeSpan.Zero, Before, elapsed))
            + (high * Seconds(Before, Overload, elapsed))
            + (low * Seconds(Before + Overload, After, elapsed));
        return (long)Math.Ceiling(calls - 1e-9);
    }
}
