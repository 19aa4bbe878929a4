using ResilientGrpc.Client.Reporting;

namespace ResilientGrpc.Tests.Client.Reporting;

public sealed class SummaryTableTests
{
    [Test]
    public void Format_Phases_OneAlignedRowEachAndATotal()
    {
        var hedged = SummaryAccountingTests.Phase("hanging, hedged", calls: 8, ok: 8, rejected: 0, unavailable: 0, retries: 0, serverReceived: 11);
        var text = SummaryTable.Format(
        [
            SummaryAccountingTests.Phase("healthy", calls: 6, ok: 6, rejected: 0, unavailable: 0, retries: 0, serverReceived: 6),
            hedged with { Traffic = hedged.Traffic with { Hedges = 4, HedgesCancelled = 3 } },
            SummaryAccountingTests.Phase("outage", calls: 12, ok: 0, rejected: 11, unavailable: 1, retries: 5, serverReceived: 6),
        ]);
        var lines = text.TrimEnd('\n').Split('\n');

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(7));
            Assert.That(lines[0], Is.EqualTo(
                "phase           | duration | calls | ok | retries | deadline exceeded | rejected by breaker | other errors "
                + "| hedges sent | hedges cancelled | server received"));
            Assert.That(lines.Select(l => l.Length).Distinct().Count(), Is.EqualTo(1), "every line has the same width");
            Assert.That(Cells(lines[2]), Is.EqualTo(new[] { "healthy", "1.0 s", "6", "6", "0", "0", "0", "0", "0", "0", "6" }));
            Assert.That(Cells(lines[3]), Is.EqualTo(new[] { "hanging, hedged", "1.0 s", "8", "8", "0", "0", "0", "0", "4", "3", "11" }));
            Assert.That(Cells(lines[4]), Is.EqualTo(new[] { "outage", "1.0 s", "12", "0", "5", "0", "11", "1", "0", "0", "6" }));
            Assert.That(Cells(lines[6]), Is.EqualTo(new[] { "total", "3.0 s", "26", "14", "5", "0", "11", "1", "4", "3", "23" }));
        });
    }

    private static string[] Cells(string line) => [.. line.Split('|').Select(c => c.Trim())];
}
