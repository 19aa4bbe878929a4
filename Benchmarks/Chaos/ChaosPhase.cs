namespace ResilientGrpc.Benchmarks.Chaos;

/// <summary>The phases of a chaos run, in order.</summary>
public enum ChaosPhase
{
    /// <summary>Seeded partial failure, as the run's <see cref="FlakyProfile"/> says.</summary>
    Flaky,

    /// <summary>Every call fails with Unavailable.</summary>
    Outage,

    /// <summary>Chaos off: every call is served.</summary>
    Recovery,
}
