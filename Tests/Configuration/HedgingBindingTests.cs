using Grpc.Core;
using Microsoft.Extensions.Configuration;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Configuration;

/// <summary>The <c>Resilience:Hedging</c> section: a section with keys turns hedging on; every bad key is named by its path.</summary>
public sealed class HedgingBindingTests
{
    private const string Process = "/unstable.v1.UnstableService/Process";

    [Test]
    public void Bind_EveryKey_TurnsHedgingOnAndSetsEveryOption()
    {
        var options = new ResilienceOptions();

        ResilienceConfiguration.Bind(Section(new()
        {
            ["Resilience:Hedging:HedgedMethods:0"] = Process,
            ["Resilience:Hedging:MaxAttempts"] = "4",
            ["Resilience:Hedging:Delay"] = "00:00:00.3",
            ["Resilience:Hedging:MethodDelays:" + Process] = "00:00:00.1",
            ["Resilience:Hedging:NonFatalStatusCodes:0"] = "Unavailable",
            ["Resilience:Hedging:NonFatalStatusCodes:1"] = "ResourceExhausted",
        }), options);

        var hedging = options.Hedging!;
        Assert.That(hedging.HedgedMethods, Is.EquivalentTo(new[] { Process }));
        Assert.That(hedging.MaxAttempts, Is.EqualTo(4));
        Assert.That(hedging.Delay, Is.EqualTo(TimeSpan.FromMilliseconds(300)));
        Assert.That(hedging.MethodDelays, Is.EquivalentTo(new Dictionary<string, TimeSpan> { [Process] = TimeSpan.FromMilliseconds(100) }));
        Assert.That(hedging.NonFatalStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable, StatusCode.ResourceExhausted }));
    }

    [Test]
    public void Bind_NoHedgingSection_LeavesHedgingOff()
    {
        var options = new ResilienceOptions();

        ResilienceConfiguration.Bind(Section(new() { ["Resilience:Retry:MaxAttempts"] = "2" }), options);

        Assert.That(options.Hedging, Is.Null);
    }

    [Test]
    public void Bind_BadKeysAndValues_NamesEachByItsPath()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ResilienceConfiguration.Bind(Section(new()
        {
            ["Resilience:Hedging:HedgedMethods:0"] = Process,
            ["Resilience:Hedging:MaxAttempts"] = "many",
            ["Resilience:Hedging:Delay"] = "-00:00:01",
            ["Resilience:Hedging:NonFatalStatusCodes:0"] = "Sometimes",
            ["Resilience:Hedging:MethodDelays:/other.Service/Call"] = "00:00:01",
            ["Resilience:Hedging:Bogus"] = "1",
        }), new ResilienceOptions()));

        var message = error!.Message;
        Assert.That(message, Does.Contain("Resilience:Hedging:MaxAttempts is many; it must be a whole number."));
        Assert.That(message, Does.Contain("Resilience:Hedging:Delay is -00:00:01; it must be zero or more."));
        Assert.That(message, Does.Contain("Resilience:Hedging:NonFatalStatusCodes:0 is Sometimes; it must be a gRPC status code such as Unavailable."));
        Assert.That(message, Does.Contain("Resilience:Hedging:MethodDelays:/other.Service/Call is 00:00:01; it must name a method or service of HedgedMethods."));
        Assert.That(message, Does.Contain(
            "Resilience:Hedging:Bogus is not a setting; the settings here are HedgedMethods, MaxAttempts, Delay, MethodDelays, NonFatalStatusCodes, Throttling."));
    }

    [Test]
    public void Bind_ThrottlingSection_TurnsTheHedgingBudgetOnFromItsDefaults()
    {
        var options = new ResilienceOptions();

        ResilienceConfiguration.Bind(Section(new()
        {
            ["Resilience:Hedging:HedgedMethods:0"] = Process,
            ["Resilience:Hedging:Throttling:MaxTokens"] = "20",
        }), options);

        var throttling = options.Hedging!.Throttling!;
        Assert.That((throttling.MaxTokens, throttling.TokenRatio), Is.EqualTo((20, 0.1)));
        Assert.That(options.Retry!.Throttling, Is.Null);
    }

    [Test]
    public void Bind_NoThrottlingSection_LeavesHedgesUnthrottled()
    {
        var options = new ResilienceOptions();

        ResilienceConfiguration.Bind(Section(new() { ["Resilience:Hedging:HedgedMethods:0"] = Process }), options);

        Assert.That(options.Hedging!.Throttling, Is.Null);
    }

    [Test]
    public void Bind_BadThrottling_NamesEachKeyByItsPath()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ResilienceConfiguration.Bind(Section(new()
        {
            ["Resilience:Hedging:HedgedMethods:0"] = Process,
            ["Resilience:Hedging:Throttling:MaxTokens"] = "0",
            ["Resilience:Hedging:Throttling:TokenRatio"] = "2",
            ["Resilience:Hedging:Throttling:Tokens"] = "5",
        }), new ResilienceOptions()));

        var message = error!.Message;
        Assert.That(message, Does.Contain("Resilience:Hedging:Throttling:MaxTokens is 0; it must be between 1 and 1000."));
        Assert.That(message, Does.Contain("Resilience:Hedging:Throttling:TokenRatio is 2; it must be greater than 0 and at most 1."));
        Assert.That(message, Does.Contain("Resilience:Hedging:Throttling:Tokens is not a setting; the settings here are MaxTokens, TokenRatio."));
    }

    [Test]
    public void Bind_ThrottlingOnRetryAndHedging_NamesTheConflict()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ResilienceConfiguration.Bind(Section(new()
        {
            ["Resilience:Retry:Throttling:MaxTokens"] = "10",
            ["Resilience:Hedging:HedgedMethods:0"] = Process,
            ["Resilience:Hedging:Throttling:MaxTokens"] = "10",
        }), new ResilienceOptions()));

        Assert.That(error!.Message, Is.EqualTo(
            "Invalid resilience configuration: Resilience:Hedging:Throttling is set beside Resilience:Retry:Throttling; "
            + "retry and hedging share one budget, so set it on only one of them."));
    }

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Resilience");
}
