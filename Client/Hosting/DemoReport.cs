using ResilientGrpc.Client.Reporting;
using ResilientGrpc.Client.Scenario;

namespace ResilientGrpc.Client.Hosting;

/// <summary>Prints the demo's summary table and its checks.</summary>
internal static class DemoReport
{
    /// <summary>Writes the summary to <paramref name="output"/>.</summary>
    /// <returns>The problems found: the story did not happen, or the figures do not add up. Empty when all is well.</returns>
    public static IReadOnlyList<string> Write(ScenarioResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        var problems = StoryCheck.Check(result).Concat(SummaryAccounting.Check(result.Phases)).ToList();

        output.WriteLine();
        output.WriteLine("Summary per phase (server received = calls the chaos server counted itself):");
        output.WriteLine();
        output.Write(SummaryTable.Format(result.Phases));
        output.WriteLine();
        foreach (var (period, index) in result.OpenPeriods.Select((p, i) => (p, i + 1)))
        {
            output.WriteLine(
                $"Breaker open period {index}: {period.Duration.TotalSeconds:0.0} s, {period.Rejected} calls rejected at once, "
                + $"{period.ServerReceived} reached the server.");
        }

        if (problems.Count == 0)
        {
            output.WriteLine("Checks: every call is accounted for (calls + retries + hedges - rejected = server received), and every pattern was shown.");
        }
        else
        {
            output.WriteLine("Checks FAILED:");
            foreach (var problem in problems)
            {
                output.WriteLine("  - " + problem);
            }
        }

        return problems;
    }
}
