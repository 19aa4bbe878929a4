using ResilientGrpc.Client.Calls;

namespace ResilientGrpc.Client.Scenario;

/// <summary>The calls made so far in one phase, for deciding when it is over.</summary>
internal sealed class PhaseProgress
{
    public int Calls { get; private set; }

    public int Succeeded { get; private set; }

    /// <summary>Gets how long the slowest call so far took, as its caller waited.</summary>
    public TimeSpan Longest { get; private set; }

    /// <summary>Gets the outcome of the latest call, or null before the first.</summary>
    public CallOutcome? Last { get; private set; }

    /// <summary>Gets a value indicating whether the latest call succeeded (it resets the breaker's failure count).</summary>
    public bool LastSucceeded => Last is { Succeeded: true };

    public void Record(CallOutcome outcome)
    {
        Calls++;
        Succeeded += outcome.Succeeded ? 1 : 0;
        Longest = outcome.Elapsed > Longest ? outcome.Elapsed : Longest;
        Last = outcome;
    }
}
