namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// Holds the chaos settings of a running server and lets a host change them at runtime, for example
/// to walk a demo through healthy, flaky, hanging (plain and hedged), outage and recovery phases. One per server
/// (resolve it from the server's services).
/// </summary>
public sealed class ChaosController
{
    private readonly TimeProvider _timeProvider;
    private volatile State _state;

    internal ChaosController(ChaosOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _state = CreateState(options);
    }

    /// <summary>Gets a copy of the settings in force. Changing the copy changes nothing; use <see cref="Apply"/>.</summary>
    public ChaosOptions Options => _state.Options.Clone();

    /// <summary>
    /// Validates and applies new settings. Calls that start afterwards use them; a seeded sequence starts
    /// over, the outage clock restarts (so an outage window, if configured, begins now), and a capacity
    /// starts with every handler free (calls admitted before keep what they were given).
    /// </summary>
    /// <param name="options">The new settings; copied, so later changes by the caller do not apply.</param>
    /// <exception cref="ChaosConfigurationException">The settings are invalid; the settings in force are kept.</exception>
    public void Apply(ChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _state = CreateState(options);
    }

    /// <summary>Applies the settings in force changed by <paramref name="configure"/>; see <see cref="Apply"/>.</summary>
    /// <param name="configure">Changes a copy of the settings in force.</param>
    /// <exception cref="ChaosConfigurationException">The resulting settings are invalid; the settings in force are kept.</exception>
    public void Update(Action<ChaosOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = Options;
        configure(options);
        Apply(options);
    }

    /// <summary>Restarts the outage clock: the current outage cycle begins now.</summary>
    public void RestartOutageClock()
    {
        var state = _state;
        _state = state with { StartTimestamp = _timeProvider.GetTimestamp() };
    }

    /// <summary>Decides the fate of one call with the settings in force.</summary>
    /// <param name="requestId">The call's request id, or null when it has none.</param>
    /// <param name="method">The method called.</param>
    internal ChaosDecision Decide(string? requestId = null, string method = "")
    {
        var state = _state;
        return state.Decider.Decide(_timeProvider.GetElapsedTime(state.StartTimestamp), requestId, method);
    }

    /// <summary>
    /// Admits one call that chaos lets through to the server's handlers: with a capacity in force
    /// (<see cref="ChaosOptions.CapacityHandlers"/>), refused or given a handler (<paramref name="handler"/>, told when
    /// the call is answered); otherwise served at once.
    /// </summary>
    internal CapacityAdmission Admit(out CapacityHandler handler)
    {
        handler = default;
        return _state.Capacity?.Admit(out handler) ?? CapacityAdmission.Unlimited;
    }

    private State CreateState(ChaosOptions options)
    {
        var copy = options.Clone();
        return new State(copy, new ChaosDecider(copy), _timeProvider.GetTimestamp(), ServerCapacity.For(copy, _timeProvider));
    }

    /// <summary>The settings in force with what they decide from: the decider, the outage clock's start and the handlers (null: no capacity limit).</summary>
    private sealed record State(ChaosOptions Options, ChaosDecider Decider, long StartTimestamp, ServerCapacity? Capacity);
}
