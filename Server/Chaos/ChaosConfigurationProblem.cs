namespace ResilientGrpc.Server.Chaos;

/// <summary>One invalid chaos setting.</summary>
/// <param name="Variable">The environment variable (configuration key) at fault, for example <c>CHAOS_ERROR_RATE</c>.</param>
/// <param name="Value">The offending value as given.</param>
/// <param name="Requirement">What the setting allows.</param>
public sealed record ChaosConfigurationProblem(string Variable, string Value, string Requirement)
{
    /// <inheritdoc />
    public override string ToString() => $"{Variable}={Value}: {Requirement}";
}
