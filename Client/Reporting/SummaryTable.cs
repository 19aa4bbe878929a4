using System.Globalization;
using System.Text;

namespace ResilientGrpc.Client.Reporting;

/// <summary>Formats the per-phase summary as a plain-text table with a total row.</summary>
internal static class SummaryTable
{
    private static readonly string[] Headers =
        ["phase", "duration", "calls", "ok", "retries", "deadline exceeded", "rejected by breaker", "other errors", "hedges sent", "hedges cancelled", "server received"];

    public static string Format(IReadOnlyList<PhaseSummary> phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        var rows = phases.Select(Row).ToList();
        var total = new PhaseSummary(
            "total",
            phases.Select(p => p.Traffic).Aggregate(TrafficSnapshot.Empty, TrafficSnapshot.Add),
            phases.Sum(p => p.ServerReceived),
            TimeSpan.FromTicks(phases.Sum(p => p.Duration.Ticks)));

        var widths = Headers.Select(h => h.Length).ToArray();
        foreach (var row in rows.Append(Row(total)))
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        AppendRow(text, Headers, widths);
        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var row in rows)
        {
            AppendRow(text, row, widths);
        }

        AppendRow(text, widths.Select(w => new string('-', w)).ToArray(), widths);
        AppendRow(text, Row(total), widths);
        return text.ToString();
    }

    private static string[] Row(PhaseSummary phase) =>
    [
        phase.Phase,
        phase.Duration.TotalSeconds.ToString("0.0' s'", CultureInfo.InvariantCulture),
        Number(phase.Traffic.Calls),
        Number(phase.Traffic.Succeeded),
        Number(phase.Traffic.Retries),
        Number(phase.Traffic.DeadlineExceeded),
        Number(phase.Traffic.Rejected),
        Number(phase.OtherErrors),
        Number(phase.Traffic.Hedges),
        Number(phase.Traffic.HedgesCancelled),
        Number(phase.ServerReceived),
    ];

    private static void AppendRow(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                text.Append(" | ");
            }

            // The phase name reads best left-aligned, the figures right-aligned.
            text.Append(i == 0 ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]));
        }

        text.Append('\n');
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
