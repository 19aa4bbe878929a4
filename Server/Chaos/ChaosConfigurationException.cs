namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// Thrown when chaos settings are invalid. The message lists every problem at once, each naming its
/// environment variable, the bad value and what is allowed.
/// </summary>
public sealed class ChaosConfigurationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="problems">Every problem found; at least one.</param>
    public ChaosConfigurationException(IReadOnlyList<ChaosConfigurationProblem> problems)
        : base(FormatMessage(problems))
    {
        Problems = problems;
    }

    /// <summary>Gets every problem found, in the order the settings are documented.</summary>
    public IReadOnlyList<ChaosConfigurationProblem> Problems { get; }

    private static string FormatMessage(IReadOnlyList<ChaosConfigurationProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var lines = problems.Select(p => "  - " + p);
        return $"Invalid chaos configuration ({problems.Count} problem(s)):{Environment.NewLine}"
            + string.Join(Environment.NewLine, lines);
    }
}
