using System.Text;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>Lays out a header and rows of cells as an aligned console table, a markdown table or CSV.</summary>
internal static class TextTable
{
    public static string Aligned(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        _ = text.AppendLine(string.Join("  ", headers.Select((h, i) => h.PadLeft(widths[i]))));
        foreach (var row in rows)
        {
            _ = text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadLeft(widths[i]))));
        }

        return text.ToString();
    }

    /// <summary>A markdown table whose first <paramref name="textColumns"/> columns are left-aligned, the rest right-aligned.</summary>
    public static string Markdown(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows, int textColumns = 1)
    {
        var text = new StringBuilder();
        _ = text.AppendLine("| " + string.Join(" | ", headers) + " |");
        _ = text.AppendLine("|" + string.Concat(headers.Select((_, i) => i < textColumns ? "---|" : "---:|")));
        foreach (var row in rows)
        {
            _ = text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        return text.ToString();
    }

    /// <summary>CSV with the headers made identifiers (no spaces, arrows or slashes).</summary>
    public static string Csv(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var text = new StringBuilder();
        _ = text.AppendLine(string.Join(",", headers.Select(h => h.Replace(' ', '_').Replace("→", "_to_", StringComparison.Ordinal).Replace("/", "_per_", StringComparison.Ordinal))));
        foreach (var row in rows)
        {
            _ = text.AppendLine(string.Join(",", row));
        }

        return text.ToString();
    }
}
