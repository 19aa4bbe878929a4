using ResilientGrpc.Client.Cli;

namespace ResilientGrpc.Tests.Client.Cli;

public sealed class DurationParserTests
{
    [TestCase("90s", 90)]
    [TestCase("90", 90)]
    [TestCase("1.5m", 90)]
    [TestCase("500ms", 0.5)]
    [TestCase("2h", 7200)]
    [TestCase("00:01:30", 90)]
    [TestCase(" 10S ", 10)]
    public void TryParse_GoodDuration_ReadsIt(string text, double seconds)
    {
        Assert.Multiple(() =>
        {
            Assert.That(DurationParser.TryParse(text, out var duration), Is.True);
            Assert.That(duration, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
        });
    }

    [TestCase("")]
    [TestCase("s")]
    [TestCase("0")]
    [TestCase("-5s")]
    [TestCase("5x")]
    [TestCase("1e3s")]
    [TestCase("00:00:00")]
    [TestCase("forever")]
    public void TryParse_BadDuration_Refuses(string text) =>
        Assert.That(DurationParser.TryParse(text, out _), Is.False);
}
