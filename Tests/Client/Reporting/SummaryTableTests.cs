using ResilientGrpc.Client.Reporting;

namespace ResilientGrpc.Tests.Client.Reporting;

public sealed class SummaryTableTests
{
    [Test]
    public void Format_Phases_OneAlignedRowEachAndATotal()
    {
        var text = SummaryTable.Format(
        [
            SummaryAccountingTests.Phase("healthy", calls: 6, ok: 6, rejected: 0, unavailable: 0, retries: 0, serverReceived: 6),
            SummaryAccountingTests.Phase("outage", calls: 12, ok: 0, rejected: 11, unavailable: 1, retries: 5, serverReceived: 6),
        ]);
        var lines = text.TrimEnd('\n').Split('\n');

        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Length.EqualTo(6));
            Assert.That(lines[0], Does.StartWith("phase   | duration | calls | ok | retries | deadline exceeded | rejected by breaker | other errors | server received"));
            Assert.That(lines.Select(l => l.Length).Distinct().Count(), Is.EqualTo(1), "every line has the same width");
            Assert.That(Cells(lines[2]), Is.EqualTo(new[] { "healthy", "1.0 s", "6", "6", "0", "0", "0", "0", "6" }));
            Assert.That(Cells(lines[3]), Is.EqualTo(new[] { "outage", "1.0 s", "12", "0", "5", "0", "11", "1", "6" }));
            Assert.That(Cells(lines[5]), Is.EqualTo(new[] { "total", "2.0 s", "18", "6", "5", "0", "11", "1", "12" }));
        });
    }

    private static string[] Cells(string line) => [.. line.Split('|').Select(c => c.Trim())];
}
