namespace ResilientGrpc.Server.Chaos;

/// <summary>What the chaos server decided to do with one call.</summary>
public enum ChaosOutcome
{
    /// <summary>The call is served normally.</summary>
    Ok,

    /// <summary>The call fails at once with one of the configured error codes.</summary>
    Error,

    /// <summary>The call waits for the hang duration (or until the caller gives up) before it is served.</summary>
    Hang,

    /// <summary>The call falls inside the outage window and fails with <c>UNAVAILABLE</c>.</summary>
    Outage,
}
