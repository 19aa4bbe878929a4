using Grpc.Core;
using Microsoft.Extensions.Configuration;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Configuration;

/// <summary>The one reading of a <c>Resilience</c> section: every key explicit, lists replaced, problems named by path.</summary>
public sealed class ResilienceConfigurationTests
{
    [Test]
    public void Bind_EveryKey_SetsEveryOption()
    {
        var options = Bind(new()
        {
            ["Resilience:Deadline:Timeout"] = "00:00:05",
            ["Resilience:Deadline:MethodTimeouts:/pkg.Svc/Method"] = "00:00:10",
            ["Resilience:Deadline:StreamIdleTimeouts:pkg.Svc"] = "00:01:00",
            ["Resilience:Retry:MaxAttempts"] = "4",
            ["Resilience:Retry:InitialBackoff"] = "00:00:00.5",
            ["Resilience:Retry:BackoffMultiplier"] = "1.5",
            ["Resilience:Retry:MaxBackoff"] = "00:00:10",
            ["Resilience:Retry:JitterFactor"] = "0",
            ["Resilience:Retry:HonorServerPushback"] = "false",
            ["Resilience:Retry:Throttling:MaxTokens"] = "20",
            ["Resilience:Retry:NonRetryableMethods:0"] = "/pkg.Svc/Write",
            ["Resilience:CircuitBreaker:Name"] = "orders",
            ["Resilience:CircuitBreaker:FailureThreshold"] = "3",
            ["Resilience:CircuitBreaker:AttemptFailureThreshold"] = "9",
            ["Resilience:CircuitBreaker:BreakDuration"] = "00:00:15",
            ["Resilience:CircuitBreaker:HalfOpenProbes"] = "2",
            ["Resilience:CircuitBreaker:FailureRatio"] = "0.5",
            ["Resilience:CircuitBreaker:SamplingDuration"] = "00:01:00",
            ["Resilience:CircuitBreaker:MinimumThroughput"] = "20",
        });

        Assert.That(options.Deadline!.Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(options.Deadline.MethodTimeouts, Is.EquivalentTo(new Dictionary<string, TimeSpan> { ["/pkg.Svc/Method"] = TimeSpan.FromSeconds(10) }));
        Assert.That(options.Deadline.StreamIdleTimeouts, Is.EquivalentTo(new Dictionary<string, TimeSpan> { ["pkg.Svc"] = TimeSpan.FromMinutes(1) }));
        var retry = options.Retry!;
        Assert.That(
            (retry.MaxAttempts, retry.InitialBackoff, retry.BackoffMultiplier, retry.MaxBackoff, retry.JitterFactor, retry.HonorServerPushback),
            Is.EqualTo((4, TimeSpan.FromMilliseconds(500), 1.5, TimeSpan.FromSeconds(10), 0.0, false)));
        Assert.That((retry.Throttling!.MaxTokens, retry.Throttling.TokenRatio), Is.EqualTo((20, 0.1)), "the budget starts from its defaults");
        Assert.That(retry.NonRetryableMethods, Is.EquivalentTo(new[] { "/pkg.Svc/Write" }));
        var breaker = options.CircuitBreaker!;
        Assert.That(
            (breaker.Name, breaker.FailureThreshold, breaker.AttemptFailureThreshold, breaker.BreakDuration, breaker.HalfOpenProbes),
            Is.EqualTo(("orders", 3, (int?)9, TimeSpan.FromSeconds(15), 2)));
        Assert.That(
            (breaker.FailureRatio, breaker.SamplingDuration, breaker.MinimumThroughput),
            Is.EqualTo(((double?)0.5, TimeSpan.FromMinutes(1), 20)));
    }

    [Test]
    public void Bind_ConcurrencyLimitKeys_SetEveryOption()
    {
        var limit = Bind(new()
        {
            ["Resilience:ConcurrencyLimit:Algorithm"] = "aimd",
            ["Resilience:ConcurrencyLimit:InitialLimit"] = "20",
            ["Resilience:ConcurrencyLimit:MinLimit"] = "2",
            ["Resilience:ConcurrencyLimit:MaxLimit"] = "200",
            ["Resilience:ConcurrencyLimit:BackoffRatio"] = "0.8",
            ["Resilience:ConcurrencyLimit:LatencyTolerance"] = "1.5",
            ["Resilience:ConcurrencyLimit:MaxQueueWait"] = "00:00:00.05",
            ["Resilience:ConcurrencyLimit:MaxQueueLength"] = "40",
            ["Resilience:ConcurrencyLimit:OverloadStatusCodes:0"] = "ResourceExhausted",
        }).ConcurrencyLimit!;

        Assert.That(
            (limit.Algorithm, limit.InitialLimit, limit.MinLimit, limit.MaxLimit, limit.BackoffRatio, limit.LatencyTolerance),
            Is.EqualTo((ConcurrencyLimitAlgorithm.Aimd, (int?)20, 2, 200, 0.8, 1.5)));
        Assert.That((limit.MaxQueueWait, limit.MaxQueueLength), Is.EqualTo((TimeSpan.FromMilliseconds(50), (int?)40)));
        Assert.That(limit.OverloadStatusCodes, Is.EquivalentTo(new[] { StatusCode.ResourceExhausted }));
    }

    [Test]
    public void Bind_ListsAndDictionariesGiven_ReplaceTheDefaults()
    {
        var defaults = new ResilienceOptions();
        defaults.Deadline!.MethodTimeouts["/pkg.Svc/Old"] = TimeSpan.FromSeconds(1);
        defaults.Retry!.NonRetryableMethods.Add("pkg.Old");

        Bind(defaults, new()
        {
            ["Resilience:Retry:RetryableStatusCodes:0"] = "Internal",
            ["Resilience:Retry:NonRetryableMethods:0"] = "pkg.New",
            ["Resilience:CircuitBreaker:FailureStatusCodes:0"] = "internal",
            ["Resilience:CircuitBreaker:FailureStatusCodes:1"] = "14",
            ["Resilience:Deadline:MethodTimeouts:/pkg.Svc/New"] = "00:00:03",
        });

        Assert.That(defaults.Retry.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Internal }));
        Assert.That(defaults.Retry.NonRetryableMethods, Is.EquivalentTo(new[] { "pkg.New" }));
        Assert.That(defaults.CircuitBreaker!.FailureStatusCodes, Is.EquivalentTo(new[] { StatusCode.Internal, StatusCode.Unavailable }));
        Assert.That(defaults.Deadline.MethodTimeouts.Keys, Is.EquivalentTo(new[] { "/pkg.Svc/New" }));
    }

    [Test]
    public void Bind_KeysAbsent_KeepTheValuesTheOptionsHold()
    {
        var options = new ResilienceOptions { Retry = new RetryOptions { MaxAttempts = 7, NonRetryableMethods = { "pkg.Svc" } } };

        Bind(options, new() { ["Resilience:Retry:JitterFactor"] = "0.1" });

        Assert.That(options.Retry.MaxAttempts, Is.EqualTo(7));
        Assert.That(options.Retry.NonRetryableMethods, Is.EquivalentTo(new[] { "pkg.Svc" }));
        Assert.That(options.Retry.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable }));
        Assert.That(options.Retry.Throttling, Is.Null);
    }

    [Test]
    public void Bind_EmptyValueOfNullableSetting_SetsItToNull()
    {
        var options = new ResilienceOptions { CircuitBreaker = new CircuitBreakerOptions { FailureRatio = 0.5, AttemptFailureThreshold = 9 } };

        Bind(options, new() { ["Resilience:CircuitBreaker:FailureRatio"] = "", ["Resilience:CircuitBreaker:AttemptFailureThreshold"] = "" });

        Assert.That(options.CircuitBreaker.FailureRatio, Is.Null);
        Assert.That(options.CircuitBreaker.AttemptFailureThreshold, Is.Null);
    }

    [Test]
    public void Bind_PatternLeftOut_StaysLeftOut()
    {
        var options = new ResilienceOptions { Retry = null };

        Bind(options, new() { ["Resilience:Retry:MaxAttempts"] = "4" });

        Assert.That(options.Retry, Is.Null);
    }

    [Test]
    public void Bind_UnknownKeys_NamedByPathWithTheSettingsThereAre()
    {
        var error = BindFails(new()
        {
            ["Resilience:Bogus"] = "1",
            ["Resilience:Retry:Bogus"] = "1",
            ["Resilience:Retry:Throttling:Tokens"] = "5",
            ["Resilience:CircuitBreaker:KeySelector"] = "method",
        });

        Assert.That(error.Message, Does.Contain("Resilience:Bogus is not a setting; the settings here are Deadline, Retry, CircuitBreaker, Hedging, ConcurrencyLimit, AdaptiveThrottling."));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:Bogus is not a setting; the settings here are MaxAttempts, InitialBackoff,"));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:Throttling:Tokens is not a setting; the settings here are MaxTokens, TokenRatio."));
        Assert.That(error.Message, Does.Contain("Resilience:CircuitBreaker:KeySelector is not a setting"));
    }

    [Test]
    public void Bind_UnreadableAndInvalidValues_OneMessageNamesEachByPath()
    {
        var error = BindFails(new()
        {
            ["Resilience:Retry:MaxAttempts"] = "many",
            ["Resilience:Retry:JitterFactor"] = "2",
            ["Resilience:Retry:RetryableStatusCodes:0"] = "Sideways",
            ["Resilience:CircuitBreaker:FailureStatusCodes:0"] = "Internal,Unavailable",
            ["Resilience:CircuitBreaker:BreakDuration"] = "30 seconds",
            ["Resilience:Deadline:MethodTimeouts:/pkg.Svc/Method"] = "00:00:00",
        });

        Assert.That(error.Message, Does.StartWith("Invalid resilience configuration: "));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:MaxAttempts is many; it must be a whole number."));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:JitterFactor is 2; it must be between 0 and 1."));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:RetryableStatusCodes:0 is Sideways; it must be a gRPC status code"));
        Assert.That(error.Message, Does.Contain("Resilience:CircuitBreaker:FailureStatusCodes:0 is Internal,Unavailable;"));
        Assert.That(error.Message, Does.Contain("Resilience:CircuitBreaker:BreakDuration is 30 seconds; it must be a duration"));
        Assert.That(error.Message, Does.Contain("Resilience:Deadline:MethodTimeouts:/pkg.Svc/Method is 00:00:00; it must be greater than zero"));
        Assert.That(error.Message, Does.Not.Contain("RetryableStatusCodes is {}"), "an unreadable list keeps the default instead of emptying it");
    }

    [Test]
    public void Bind_ValueWhereEntriesOrSettingsBelong_NamedByPath()
    {
        var error = BindFails(new()
        {
            ["Resilience:Retry:RetryableStatusCodes"] = "Internal",
            ["Resilience:Retry:MaxAttempts:0"] = "3",
            ["Resilience:Deadline"] = "00:00:02",
        });

        Assert.That(error.Message, Does.Contain("Resilience:Retry:RetryableStatusCodes is Internal; it must be given entry by entry, as RetryableStatusCodes:0."));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:MaxAttempts is a section; it must be a single value."));
        Assert.That(error.Message, Does.Contain("Resilience:Deadline is 00:00:02; it must be a section of settings, not a value."));
    }

    [Test]
    public void Bind_ConfigurationRoot_NamesKeysFromTheRoot()
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Retry:MaxAttempts"] = "0" }).Build();

        var error = Assert.Throws<InvalidOperationException>(() => ResilienceConfiguration.Bind(root, new ResilienceOptions()));

        Assert.That(error!.Message, Does.Contain(" Retry:MaxAttempts is 0; it must be between 1 and 10."));
    }

    private static ResilienceOptions Bind(Dictionary<string, string?> values) => Bind(new ResilienceOptions(), values);

    private static ResilienceOptions Bind(ResilienceOptions options, Dictionary<string, string?> values)
    {
        ResilienceConfiguration.Bind(Section(values), options);
        return options;
    }

    private static InvalidOperationException BindFails(Dictionary<string, string?> values) =>
        Assert.Throws<InvalidOperationException>(() => ResilienceConfiguration.Bind(Section(values), new ResilienceOptions()))!;

    private static IConfigurationSection Section(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("Resilience");
}
