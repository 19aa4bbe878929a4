using Grpc.Core;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>What each bad outlier-detection setting is told, and the bounds that are still accepted.</summary>
public sealed class OutlierDetectionOptionsTests
{
    private static readonly TestCaseData[] BadOptionSentences =
    [
        Sentence(o => o.ConsecutiveFailures = 0, "OutlierDetectionOptions.ConsecutiveFailures is 0; it must be null or at least 1."),
        Sentence(o => o.FailurePercentageThreshold = 0, "OutlierDetectionOptions.FailurePercentageThreshold is 0; it must be null or between 1 and 100."),
        Sentence(o => o.FailurePercentageThreshold = 101, "OutlierDetectionOptions.FailurePercentageThreshold is 101; it must be null or between 1 and 100."),
        Sentence(o => o.MinimumHosts = 0, "OutlierDetectionOptions.MinimumHosts is 0; it must be at least 1."),
        Sentence(o => o.RequestVolume = 0, "OutlierDetectionOptions.RequestVolume is 0; it must be at least 1."),
        Sentence(o => o.Interval = TimeSpan.Zero, "OutlierDetectionOptions.Interval is 00:00:00; it must be greater than zero and at most 1 day."),
        Sentence(o => o.BaseEjectionTime = TimeSpan.Zero, "OutlierDetectionOptions.BaseEjectionTime is 00:00:00; it must be greater than zero and at most 1 day."),
        Sentence(
            o => o.MaxEjectionTime = TimeSpan.FromSeconds(10),
            "OutlierDetectionOptions.MaxEjectionTime is 00:00:10; it must be at least BaseEjectionTime and at most 1 day."),
        Sentence(o => o.MaxEjectionPercent = 0, "OutlierDetectionOptions.MaxEjectionPercent is 0; it must be between 1 and 100."),
        Sentence(
            o => o.FailureStatusCodes = new HashSet<StatusCode>(),
            "OutlierDetectionOptions.FailureStatusCodes is {}; it must name at least one status and neither OK nor Cancelled."),
        Sentence(
            o => o.FailureStatusCodes = null!,
            "OutlierDetectionOptions.FailureStatusCodes is null; it must name at least one status and neither OK nor Cancelled."),
        Sentence(
            o => o.FailureStatusCodes = new HashSet<StatusCode> { StatusCode.Unavailable, StatusCode.OK },
            "OutlierDetectionOptions.FailureStatusCodes is {Unavailable, OK}; it must name at least one status and neither OK nor Cancelled."),
    ];

    [TestCaseSource(nameof(BadOptionSentences))]
    public void Validate_BadOption_MessageGivesTheValueAndWhatIsAllowed(Action<OutlierDetectionOptions> spoil, string sentence)
    {
        var options = new OutlierDetectionOptions();
        spoil(options);

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Is.EqualTo($"Invalid OutlierDetectionOptions: {sentence} (Parameter 'OutlierDetectionOptions')"));
    }

    [Test]
    public void Validate_LowestAndHighestValues_AreAccepted()
    {
        var lowest = new OutlierDetectionOptions
        {
            ConsecutiveFailures = 1,
            FailurePercentageThreshold = 1,
            MinimumHosts = 1,
            RequestVolume = 1,
            MaxEjectionPercent = 1,
        };
        var highest = new OutlierDetectionOptions
        {
            FailurePercentageThreshold = 100,
            MaxEjectionPercent = 100,
            Interval = TimeSpan.FromDays(1),
            BaseEjectionTime = TimeSpan.FromDays(1),
            MaxEjectionTime = TimeSpan.FromDays(1),
        };

        Assert.DoesNotThrow(lowest.Validate);
        Assert.DoesNotThrow(highest.Validate);
    }

    private static TestCaseData Sentence(Action<OutlierDetectionOptions> spoil, string sentence) =>
        new TestCaseData(spoil, sentence).SetArgDisplayNames(sentence[..sentence.IndexOf(';', StringComparison.Ordinal)]);
}
