using System.Globalization;
using System.Text;

namespace ResilientGrpc.Client.Fleet;

/// <summary>Prints the fleet demo's two summary tables, what ejection did, and the story check.</summary>
internal static class FleetReport
{
    /// <summary>Writes the summary to <paramref name="output"/>.</summary>
    /// <returns>The problems the story check found; empty when all is well.</returns>
    public static IReadOnlyList<string> Write(FleetResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        var problems = FleetStoryCheck.Check(result);
        output.WriteLine();
        output.WriteLine("Summary per run and phase (attempts = what the replicas' servers counted, retries included):");
        foreach (var (run, index) in result.Runs.Select((r, i) => (r, i + 1)))
        {
            output.WriteLine();
            output.WriteLine($"Run {index} {run.Name}: {run.Description}");
            output.Write(Table(run));
            output.WriteLine(Ejection(run, result.Timings));
        }

        output.WriteLine();
        if (problems.Count == 0)
        {
            output.WriteLine("Checks: with ejection, replica 2 was ejected, only its probes reached it until it returned, and no healthy replica was ejected.");
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

    /// <summary>Formats one run's phases as a plain-text table.</summary>
    public static string Table(FleetRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var headers = new List<string> { "phase", "duration", "calls", "succeeded", "mean call", "attempts/call" };
        headers.AddRange(run.Endpoints.Select((_, i) => i == FleetRun.BadReplica ? $"replica {i + 1} (bad)" : $"replica {i + 1}"));
        headers.Add("breaker openings");
        var rows = run.Phases.Select(p => Row(p)).Prepend([.. headers]).ToList();
        var widths = headers.Select((_, i) => rows.Max(r => r[i].Length)).ToArray();
        var text = new StringBuilder();
        for (var r = 0; r < rows.Count; r++)
        {
            text.Append(string.Join(" | ", rows[r].Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i])))).Append('\n');
            if (r == 0)
            {
                text.Append(string.Join("-|-", widths.Select(w => new string('-', w)))).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string[] Row(FleetPhaseResult phase)
    {
        var cells = new List<string>
        {
            phase.Phase,
            F($"{phase.Duration.TotalSeconds:0.0} s"),
            F($"{phase.Calls}"),
            F($"{phase.SucceededPercent:0.0} %"),
            F($"{phase.MeanCall.TotalMilliseconds:0} ms"),
            F($"{phase.AttemptsPerCall:0.00}"),
        };
        cells.AddRange(phase.Received.Select(r => F($"{r}")));
        cells.Add(F($"{phase.BreakerOpenings}"));
        return [.. cells];
    }

    private static string Ejection(FleetRunResult run, FleetTimings timings)
    {
        var down = run.Phase(FleetRun.DownPhase);
        var share = down.Attempts == 0 ? 0 : 100.0 * down.Received[FleetRun.BadReplica] / down.Attempts;
        if (!run.WithEjection)
        {
            return F($"No ejection: replica 2 received {down.Received[FleetRun.BadReplica]} of the {down.Attempts} attempts ({share:0} %) while it was down.");
        }

        var e = run.Ejection;
        return e.Ejected
            ? F($"Ejection: replica 2 was ejected after {e.ReceivedBeforeEjection} failed attempts ({timings.BaseEjectionTime.TotalSeconds:0.#} s base ejection time); ")
              + F($"for the rest of the down phase it received {e.ReceivedAfterEjection} attempt(s), {e.FailedProbes} of them failed probes; ")
              + F($"{e.Ejections} ejections in all, returned {e.Returns} time(s) after coming back.")
            : F($"Ejection: replica 2 was NOT ejected; it received {down.Received[FleetRun.BadReplica]} of the {down.Attempts} attempts ({share:0} %) while it was down.");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
