namespace ResilientGrpc.Benchmarks.BreakerModel;

/// <summary>
/// A candidate rule for opening the circuit, fed every attempt and every call as they end (times in seconds).
/// It only says when it would open; the model counts that and starts it afresh.
/// </summary>
internal abstract class OpeningRule(string name)
{
    public string Name { get; } = name;

    /// <summary>An attempt ended; true when the rule opens the circuit now.</summary>
    public virtual bool OnAttempt(bool failed, double now) => false;

    /// <summary>A call ended after its last attempt; true when the rule opens the circuit now.</summary>
    public virtual bool OnCall(bool failed, double start, double now) => false;

    /// <summary>Forgets everything, as a circuit that opened and closed again does.</summary>
    public abstract void Reset();
}
