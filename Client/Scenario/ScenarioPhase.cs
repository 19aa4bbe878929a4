using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Client.Scenario;

/// <summary>One act of the demo: how the server misbehaves, how often the client calls, and when it is over.</summary>
/// <param name="Name">The phase's name, also the prefix of its request ids.</param>
/// <param name="Narration">What happens and what the viewer should look for.</param>
/// <param name="Chaos">The server's chaos settings during the phase.</param>
/// <param name="CallInterval">The pause after each call.</param>
/// <param name="Limit">The longest the phase may take before the demo fails (a bound, never expected).</param>
/// <param name="IsDone">Whether the phase is over, asked before each call.</param>
/// <param name="Hedged">Whether the phase calls through the client that hedges <c>Process</c>.</param>
internal sealed record ScenarioPhase(
    string Name,
    string Narration,
    ChaosOptions Chaos,
    TimeSpan CallInterval,
    TimeSpan Limit,
    Func<PhaseProgress, bool> IsDone,
    bool Hedged = false)
{
    /// <summary>Gets the prefix of the phase's request ids: its name with ", " as "-" (<c>hanging-hedged-3</c>).</summary>
    public string RequestPrefix => Name.Replace(", ", "-", StringComparison.Ordinal);
}
