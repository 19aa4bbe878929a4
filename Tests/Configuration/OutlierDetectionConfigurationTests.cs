using Grpc.Core;
using Microsoft.Extensions.Configuration;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Configuration;

/// <summary>An <c>OutlierDetection</c> section read the way a <c>Resilience</c> section is: every key explicit, problems named by path.</summary>
public sealed class OutlierDetectionConfigurationTests
{
    [Test]
    public void Bind_EveryKey_SetsEveryOption()
    {
        var options = Bind(new()
        {
            ["OutlierDetection:ConsecutiveFailures"] = "3",
            ["OutlierDetection:FailurePercentageThreshold"] = "",
            ["OutlierDetection:MinimumHosts"] = "3",
            ["OutlierDetection:RequestVolume"] = "10",
            ["OutlierDetection:Interval"] = "00:00:05",
            ["OutlierDetection:BaseEjectionTime"] = "00:00:20",
            ["OutlierDetection:MaxEjectionTime"] = "00:02:00",
            ["OutlierDetection:MaxEjectionPercent"] = "34",
            ["OutlierDetection:FailureStatusCodes:0"] = "Unavailable",
        });

        Assert.That(options.ConsecutiveFailures, Is.EqualTo(3));
        Assert.That(options.FailurePercentageThreshold, Is.Null, "an empty value turns the rule off");
        Assert.That(options.MinimumHosts, Is.EqualTo(3));
        Assert.That(options.RequestVolume, Is.EqualTo(10));
        Assert.That(options.Interval, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(options.BaseEjectionTime, Is.EqualTo(TimeSpan.FromSeconds(20)));
        Assert.That(options.MaxEjectionTime, Is.EqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(options.MaxEjectionPercent, Is.EqualTo(34));
        Assert.That(options.FailureStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable }), "a list given replaces the default one");
    }

    [Test]
    public void Bind_EmptySection_KeepsTheDefaults()
    {
        var options = Bind([]);

        Assert.That(options.ConsecutiveFailures, Is.EqualTo(5));
        Assert.That(options.FailureStatusCodes, Is.EquivalentTo(CircuitBreakerOptions.DefaultFailureStatusCodes));
    }

    [Test]
    public void Bind_UnknownUnreadableAndInvalidKeys_OneErrorNamesEachByPath()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Bind(new()
        {
            ["OutlierDetection:Interval"] = "soon",
            ["OutlierDetection:Bogus"] = "1",
            ["OutlierDetection:MaxEjectionPercent"] = "0",
            ["OutlierDetection:FailureStatusCodes:0"] = "OK",
        }));

        Assert.That(error!.Message, Does.Contain("OutlierDetection:Interval is soon"));
        Assert.That(error.Message, Does.Contain("OutlierDetection:Bogus is not a setting"));
        Assert.That(error.Message, Does.Contain("OutlierDetection:MaxEjectionPercent is 0; it must be between 1 and 100."));
        Assert.That(error.Message, Does.Contain("OutlierDetection:FailureStatusCodes is {OK}; it must name at least one status and neither OK nor Cancelled."));
    }

    private static OutlierDetectionOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new OutlierDetectionOptions();
        ResilienceConfiguration.Bind(configuration.GetSection("OutlierDetection"), options);
        return options;
    }
}
