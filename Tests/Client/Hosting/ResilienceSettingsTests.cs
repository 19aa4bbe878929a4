using Grpc.Core;
using Microsoft.Extensions.Configuration;
using ResilientGrpc.Client.Hosting;
using ResilientGrpc.Client.Scenario;

namespace ResilientGrpc.Tests.Client.Hosting;

/// <summary>Continuous mode reads the <c>Resilience</c> section as the client factory does.</summary>
public sealed class ResilienceSettingsTests
{
    [Test]
    public void HedgedForDemo_TheDemoSettings_PlusHedgingOnProcessAtTheHedgeDelay()
    {
        var timings = ScenarioTimings.Default;
        var plain = ResilienceSettings.ForDemo(timings);
        var hedged = ResilienceSettings.HedgedForDemo(timings);

        Assert.Multiple(() =>
        {
            Assert.That(plain.Hedging, Is.Null);
            Assert.That(hedged.Hedging!.HedgedMethods, Is.EquivalentTo(new[] { "/unstable.v1.UnstableService/Process" }));
            Assert.That(hedged.Hedging.Delay, Is.EqualTo(TimeSpan.FromSeconds(0.2)).And.EqualTo(timings.Deadline / 10));
            Assert.That(hedged.Hedging.MaxAttempts, Is.EqualTo(3));
            Assert.That(hedged.Deadline!.Timeout, Is.EqualTo(plain.Deadline!.Timeout));
            Assert.That(hedged.Retry!.InitialBackoff, Is.EqualTo(plain.Retry!.InitialBackoff));
            Assert.That(hedged.CircuitBreaker!.BreakDuration, Is.EqualTo(plain.CircuitBreaker!.BreakDuration));
            Assert.That(ResilienceSettings.HedgedForDemo(ScenarioTimings.Fast).Hedging!.Delay, Is.EqualTo(TimeSpan.FromSeconds(0.02)));
        });
    }

    [Test]
    public void FromConfiguration_EmptySection_LibraryDefaultsWithTheDemoBreakerName()
    {
        var options = ResilienceSettings.FromConfiguration(Configuration([]));

        Assert.That(options.Retry!.MaxAttempts, Is.EqualTo(3));
        Assert.That(options.Retry.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable }));
        Assert.That(options.CircuitBreaker!.Name, Is.EqualTo(ResilientClient.BreakerName));
        Assert.That(options.CircuitBreaker.FailureStatusCodes, Has.Count.EqualTo(6));
        Assert.That(options.Deadline!.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void FromConfiguration_ListsGiven_ReplaceTheDefaults()
    {
        var options = ResilienceSettings.FromConfiguration(Configuration(new()
        {
            ["Resilience:Retry:RetryableStatusCodes:0"] = "Internal",
            ["Resilience:CircuitBreaker:FailureStatusCodes:0"] = "Internal",
            ["Resilience:CircuitBreaker:BreakDuration"] = "00:00:05",
        }));

        Assert.That(options.Retry!.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Internal }));
        Assert.That(options.CircuitBreaker!.FailureStatusCodes, Is.EquivalentTo(new[] { StatusCode.Internal }));
        Assert.That(options.CircuitBreaker.BreakDuration, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void FromConfiguration_EnvironmentVariables_DoubleUnderscoreKeysBind()
    {
        const string Prefix = "RGTEST_SETTINGS_";
        Environment.SetEnvironmentVariable(Prefix + "Resilience__Retry__RetryableStatusCodes__0", "Internal");
        try
        {
            var options = ResilienceSettings.FromConfiguration(new ConfigurationBuilder().AddEnvironmentVariables(Prefix).Build());

            Assert.That(options.Retry!.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Internal }));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Prefix + "Resilience__Retry__RetryableStatusCodes__0", null);
        }
    }

    [Test]
    public void FromConfiguration_BadKeysAndValues_OneErrorNamesEachByPath()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ResilienceSettings.FromConfiguration(Configuration(new()
        {
            ["Resilience:Retry:Bogus"] = "1",
            ["Resilience:Retry:MaxAttempts"] = "0",
            ["Resilience:CircuitBreaker:BreakDuration"] = "soon",
        })));

        Assert.That(error!.Message, Does.Contain("Resilience:Retry:Bogus is not a setting"));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:MaxAttempts is 0; it must be between 1 and 10."));
        Assert.That(error.Message, Does.Contain("Resilience:CircuitBreaker:BreakDuration is soon; it must be a duration"));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
