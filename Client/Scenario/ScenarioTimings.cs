namespace ResilientGrpc.Client.Scenario;

/// <summary>
/// Every duration of the demo. <see cref="Default"/> uses the library's defaults and real phase lengths
/// (about two minutes); <see cref="Scaled"/> shrinks all of them by one factor, keeping the story.
/// </summary>
internal sealed record ScenarioTimings
{
    /// <summary>Gets the per-attempt deadline (library default 2 s).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets the delay before the first retry (library default 1 s; the second is twice as long).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the longest delay between attempts (library default 30 s).</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how long the breaker stays open before its probe (library default 30 s).</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how long a hung server call lasts (the server's default 5 s).</summary>
    public TimeSpan HangDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the pause between calls while the breaker is closed.</summary>
    public TimeSpan CallInterval { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Gets the pause between calls in the outage and recovery phases, so rejections are easy to see.</summary>
    public TimeSpan OpenCallInterval { get; init; } = TimeSpan.FromSeconds(0.25);

    /// <summary>Gets the real-time interval between status lines (not scaled).</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the hedge delay of the hedged phase (0.2 s, a tenth of the default deadline and the library's default).</summary>
    public TimeSpan HedgeDelay { get; init; } = TimeSpan.FromSeconds(0.2);

    /// <summary>
    /// Gets the longest a call of the hedged phase may take: the hedge delay plus a quarter of the deadline for the
    /// hedge's answer and a busy machine, well short of the deadline a hung call would otherwise wait out.
    /// </summary>
    public TimeSpan HedgedCallBound => HedgeDelay + (Deadline / 4);

    public static ScenarioTimings Default { get; } = new();

    /// <summary>Gets the timings of <c>--fast</c>: every duration divided by 10.</summary>
    public static ScenarioTimings Fast { get; } = Scaled(0.1);

    /// <summary>Returns <see cref="Default"/> with every scenario duration multiplied by <paramref name="factor"/>.</summary>
    public static ScenarioTimings Scaled(double factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(factor);
        var d = Default;
        return d with
        {
            Deadline = d.Deadline * factor,
            InitialBackoff = d.InitialBackoff * factor,
            MaxBackoff = d.MaxBackoff * factor,
            BreakDuration = d.BreakDuration * factor,
            HangDuration = d.HangDuration * factor,
            HedgeDelay = d.HedgeDelay * factor,
            CallInterval = d.CallInterval * factor,
            OpenCallInterval = d.OpenCallInterval * factor,
        };
    }
}
