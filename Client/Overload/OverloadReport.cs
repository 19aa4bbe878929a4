using System.Globalization;
using System.Text;

namespace ResilientGrpc.Client.Overload;

/// <summary>Prints the overload demo's tables per run, the figures that compare them, what happened in words, and the story check.</summary>
internal static class OverloadReport
{
    /// <summary>Writes the summary to <paramref name="output"/>.</summary>
    /// <returns>The problems the story check found; empty when all is well.</returns>
    public static IReadOnlyList<string> Write(OverloadResult result, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(output);
        var problems = OverloadStoryCheck.Check(result);
        var t = result.Timings;
        output.WriteLine();
        output.WriteLine(F($"Summary per run and phase (server capacity {t.Capacity:0} calls/s; calls counted in the phase they were due or ended in; received = the server's own count of attempts):"));
        foreach (var (run, index) in result.Runs.Select((r, i) => (r, i + 1)))
        {
            output.WriteLine();
            output.WriteLine(F($"Run {index} {run.Name}: {run.Description}"));
            output.Write(PhaseTable(run));
        }

        output.WriteLine();
        output.WriteLine("During the overload (2x capacity offered):");
        output.Write(FiguresTable(result));
        output.WriteLine();
        foreach (var run in result.Runs)
        {
            output.WriteLine(Narrate(run));
        }

        output.WriteLine();
        if (problems.Count == 0)
        {
            output.WriteLine(F($"Checks: with the library's defaults, goodput during the overload was no lower than without it (tolerance {t.GoodputTolerance:P0} of capacity), and the breaker stayed closed."));
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

    /// <summary>Formats one run's three phases as a plain-text table.</summary>
    public static string PhaseTable(OverloadRunResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var t = run.Timings;
        var phases = new (string Name, int First, int End)[]
        {
            (F($"{OverloadTimings.LowLoad}x before"), 0, t.FirstOverloadWindow),
            (F($"{OverloadTimings.HighLoad}x overload"), t.FirstOverloadWindow, t.FirstAfterWindow),
            (F($"{OverloadTimings.LowLoad}x after"), t.FirstAfterWindow, t.Windows),
        };
        string[] headers = ["phase", "offered", "ok", "server UNAVAILABLE", "deadline", "refused locally", "breaker", "other", "received", "received/s"];
        var rows = new List<string[]> { headers };
        foreach (var (name, first, end) in phases)
        {
            var s = run.Sum(first, end);
            var seconds = Math.Max(1, end - first) * t.Window.TotalSeconds;
            rows.Add(
            [
                name, F($"{s.Offered}"), F($"{s.Ok}"), F($"{s.ServerUnavailable}"), F($"{s.DeadlineExceeded}"), F($"{s.RefusedLocally}"),
                F($"{s.BreakerRejected}"), F($"{s.OtherErrors}"), F($"{s.Received}"), F($"{s.Received / seconds:0}"),
            ]);
        }

        return Table(rows);
    }

    /// <summary>Formats the figures that compare the runs: one row per run.</summary>
    public static string FiguresTable(OverloadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string[] headers = ["run", "goodput (of capacity)", "server received/s", "refused locally", "breaker opened", "recovery (>= 99 % ok)"];
        var rows = new List<string[]> { headers };
        foreach (var run in result.Runs)
        {
            rows.Add(
            [
                run.Name,
                F($"{run.GoodputShare:P0}"),
                F($"{run.ReceivedPerSecondDuringOverload:0}"),
                F($"{run.RefusedLocally}"),
                run.BreakerOpened ? F($"yes ({run.BreakerOpenings}x, {run.BreakerRejected} rejected)") : "no",
                Recovery(run),
            ]);
        }

        return Table(rows);
    }

    private static string Recovery(OverloadRunResult run)
    {
        if (run.Recovery is not { } window)
        {
            return "none before the end";
        }

        var t = run.Timings;
        var drop = t.Before + t.Overload;
        return F($"{window.Start.TotalSeconds:0.#}-{(window.Start + t.Window).TotalSeconds:0.#} s ({(window.Start - drop).TotalSeconds:0.#} s after the drop)");
    }

    private static string Narrate(OverloadRunResult run)
    {
        var o = run.Sum(run.Timings.FirstOverloadWindow, run.Timings.FirstAfterWindow);
        var text = new StringBuilder();
        text.Append(F($"{run.Name}: of {o.Offered} calls offered during the overload, {o.Ok} were answered ({run.GoodputShare:P0} of capacity), "));
        text.Append(F($"{o.ServerUnavailable} failed with the server's UNAVAILABLE, {o.DeadlineExceeded} ran out of time"));
        if (run.WithLibrary)
        {
            text.Append(F($", {o.RefusedLocally} were refused locally by the concurrency limit without reaching the server"));
            text.Append(F($", {o.BreakerRejected} were rejected by the breaker"));
        }

        text.Append(F($"; the server received {run.ReceivedPerSecondDuringOverload:0} attempts/s for {run.OfferedPerSecondDuringOverload:0} calls/s offered. "));
        text.Append(run.BreakerOpened ? F($"The breaker opened {run.BreakerOpenings} time(s). ") : run.WithLibrary ? "The breaker stayed closed. " : string.Empty);
        text.Append(run.Recovery is { } w
            ? F($"After the load dropped, {Recovery(run)} was the first window with at least 99 % of calls ok ({w.SuccessRatio:P1}).")
            : "After the load dropped, no window reached 99 % of calls ok before the run ended.");
        if (run.Late > 0 || run.Unfinished > 0)
        {
            text.Append(F($" {run.Late} call(s) ended after the last window; {run.Unfinished} were still running after the drain."));
        }

        return text.ToString();
    }

    private static string Table(List<string[]> rows)
    {
        var widths = rows[0].Select((_, i) => rows.Max(r => r[i].Length)).ToArray();
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

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
