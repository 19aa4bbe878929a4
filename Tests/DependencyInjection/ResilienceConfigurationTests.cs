using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.DependencyInjection;

/// <summary>AddResilience bound to configuration: values, lists, environment variables, and failing start-up.</summary>
public sealed class ResilienceConfigurationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static IEnumerable<TestCaseData> InvalidSettings()
    {
        yield return Invalid("Resilience:Retry:MaxAttempts", "0");
        yield return Invalid("Resilience:Retry:MaxAttempts", "many");
        yield return Invalid("Resilience:Retry:InitialBackoff", "2 seconds");
        yield return Invalid("Resilience:Retry:MaxBackoff", "00:00:00.5");
        yield return Invalid("Resilience:Retry:JitterFactor", "2");
        yield return Invalid("Resilience:Retry:BackoffMultiplier", "0.5");
        yield return Invalid("Resilience:Retry:RetryableStatusCodes:0", "OK");
        yield return Invalid("Resilience:Retry:RetryableStatusCodes:0", "Sideways");
        yield return Invalid("Resilience:Retry:Throttling:MaxTokens", "0");
        yield return Invalid("Resilience:Retry:Throttling:TokenRatio", "2");
        yield return Invalid("Resilience:Retry:RetryableStatusCodes", "Internal");
        yield return Invalid("Resilience:Retry:Throttling:MaxTokens", "0");
        yield return Invalid("Resilience:Retry:Throttling:Bogus", "1");
        yield return Invalid("Resilience:Retry:Bogus", "1");
        yield return Invalid("Resilience:CircuitBreaker:FailureThreshold", "0");
        yield return Invalid("Resilience:CircuitBreaker:AttemptFailureThreshold", "4");
        yield return Invalid("Resilience:CircuitBreaker:BreakDuration", "-00:00:01");
        yield return Invalid("Resilience:CircuitBreaker:HalfOpenProbes", "0");
        yield return Invalid("Resilience:CircuitBreaker:FailureRatio", "1.5");
        yield return Invalid("Resilience:CircuitBreaker:MinimumThroughput", "1");
        yield return Invalid("Resilience:CircuitBreaker:FailureStatusCodes:0", "Cancelled");
        yield return Invalid("Resilience:CircuitBreaker:FailureStatusCodes:0", "Sideways");
        yield return Invalid("Resilience:CircuitBreaker:KeySelector", "method");
        yield return Invalid("Resilience:CircuitBreaker:Bogus", "1");
        yield return Invalid("Resilience:Deadline:Timeout", "-00:00:02");
        yield return Invalid("Resilience:Deadline:Bogus", "1");
        yield return Invalid("Resilience:Deadline:MethodTimeouts:/unstable.v1.UnstableService/Process", "00:00:00");
        yield return Invalid("Resilience:Deadline:StreamIdleTimeouts:/unstable.v1.UnstableService/Subscribe", "-00:00:01");
        yield return Invalid("Resilience:Deadline:StreamIdleTimeouts:unstable.v1.UnstableService", "soon");
        yield return Invalid("Resilience:Bogus", "1");
    }

    [Test]
    public void AddResilience_InMemoryConfiguration_BindsValuesDurationsAndReplacesLists()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Resilience:Retry:MaxAttempts"] = "5",
            ["Resilience:Retry:InitialBackoff"] = "00:00:02",
            ["Resilience:Retry:RetryableStatusCodes:0"] = "Internal",
            ["Resilience:CircuitBreaker:FailureThreshold"] = "7",
            ["Resilience:CircuitBreaker:AttemptFailureThreshold"] = "30",
            ["Resilience:CircuitBreaker:BreakDuration"] = "00:01:00",
            ["Resilience:Deadline:Timeout"] = "00:00:05",
        });

        Assert.That(options.Retry!.MaxAttempts, Is.EqualTo(5));
        Assert.That(options.Retry.InitialBackoff, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(options.Retry.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Internal }), "the list replaces the default");
        Assert.That(options.CircuitBreaker!.FailureThreshold, Is.EqualTo(7));
        Assert.That(options.CircuitBreaker.AttemptFailureThreshold, Is.EqualTo(30));
        Assert.That(options.CircuitBreaker.BreakDuration, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(options.CircuitBreaker.Name, Is.EqualTo("unstable"), "named after the client");
        Assert.That(options.Deadline!.Timeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void AddResilience_FailureStatusCodesInConfiguration_ReplaceTheDefaults()
    {
        var options = Bind(new Dictionary<string, string?> { ["Resilience:CircuitBreaker:FailureStatusCodes:0"] = "Internal" });

        Assert.That(options.CircuitBreaker!.FailureStatusCodes, Is.EquivalentTo(new[] { StatusCode.Internal }));
    }

    [Test]
    public void AddResilience_StreamIdleTimeoutsInConfiguration_BindByFullMethodAndService()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Resilience:Deadline:StreamIdleTimeouts:/unstable.v1.UnstableService/Subscribe"] = "00:00:30",
            ["Resilience:Deadline:StreamIdleTimeouts:unstable.v1.UnstableService"] = "00:01:00",
            ["Resilience:Deadline:MethodTimeouts:/unstable.v1.UnstableService/Echo"] = "00:10:00",
        });

        Assert.That(options.Deadline!.StreamIdleTimeouts, Is.EquivalentTo(new Dictionary<string, TimeSpan>
        {
            ["/unstable.v1.UnstableService/Subscribe"] = TimeSpan.FromSeconds(30),
            ["unstable.v1.UnstableService"] = TimeSpan.FromMinutes(1),
        }));
        Assert.That(options.Deadline.MethodTimeouts["/unstable.v1.UnstableService/Echo"], Is.EqualTo(TimeSpan.FromMinutes(10)));
        Assert.That(options.Deadline.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void AddResilience_EmptySection_KeepsDefaults()
    {
        var options = Bind([]);

        Assert.That(options.Retry!.MaxAttempts, Is.EqualTo(3));
        Assert.That(options.Retry.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable }));
        Assert.That(options.CircuitBreaker!.FailureThreshold, Is.EqualTo(5));
        Assert.That(options.CircuitBreaker.AttemptFailureThreshold, Is.Null, "derived from the retry's attempts");
        Assert.That(options.Deadline!.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(options.Deadline.StreamIdleTimeouts, Is.Empty);
    }

    [Test]
    public void AddResilience_EnvironmentVariables_DoubleUnderscoreKeysBind()
    {
        const string Prefix = "RGTEST_CONFIG_";
        Environment.SetEnvironmentVariable(Prefix + "Resilience__Retry__MaxAttempts", "4");
        Environment.SetEnvironmentVariable(Prefix + "Resilience__Deadline__Timeout", "00:00:03");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables(Prefix).Build();
            var options = Resolve(configuration);

            Assert.That(options.Retry!.MaxAttempts, Is.EqualTo(4));
            Assert.That(options.Deadline!.Timeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Prefix + "Resilience__Retry__MaxAttempts", null);
            Environment.SetEnvironmentVariable(Prefix + "Resilience__Deadline__Timeout", null);
        }
    }

    [Test]
    public void AddResilience_CodeAfterConfiguration_CodeWins()
    {
        var configuration = Configuration(new() { ["Resilience:Retry:MaxAttempts"] = "5" });
        var services = new ServiceCollection();
        services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(configuration.GetSection("Resilience"), o => o.CircuitBreaker = null);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<ResilienceOptions>>().Get("unstable");

        Assert.That(options.Retry!.MaxAttempts, Is.EqualTo(5));
        Assert.That(options.CircuitBreaker, Is.Null);
    }

    [TestCaseSource(nameof(InvalidSettings))]
    public async Task StartAsync_InvalidSetting_FailsNamingTheKey(string key, string value)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [key] = value });
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(builder.Configuration.GetSection("Resilience"));
        using var host = builder.Build();

        var error = await Assert.CatchAsync<Exception>(() => host.StartAsync().WaitAsync(Bound));

        Assert.That(error, Is.InstanceOf<OptionsValidationException>().Or.InstanceOf<InvalidOperationException>());
        Assert.That(error!.Message, Does.Contain(key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key));
    }

    [Test]
    public async Task StartAsync_SeveralInvalidSettings_OneMessageNamesEach()
    {
        var error = await StartFailsAsync(new Dictionary<string, string?>
        {
            ["Resilience:Retry:MaxAttempts"] = "0",
            ["Resilience:CircuitBreaker:FailureThreshold"] = "0",
            ["Resilience:Deadline:Timeout"] = "-00:00:01",
        });

        Assert.That(error.Message, Does.Contain("Resilience:Retry:MaxAttempts"));
        Assert.That(error.Message, Does.Contain("Resilience:CircuitBreaker:FailureThreshold"));
        Assert.That(error.Message, Does.Contain("Resilience:Deadline:Timeout"));
        Assert.That(error.Message, Does.Contain("'unstable'"));
    }

    [Test]
    public async Task StartAsync_UnknownUnreadableAndInvalidSettings_OneMessageNamesEachByPath()
    {
        var error = await StartFailsAsync(new Dictionary<string, string?>
        {
            ["Resilience:Retry:MaxAttempts"] = "many",
            ["Resilience:Retry:Bogus"] = "1",
            ["Resilience:CircuitBreaker:FailureThreshold"] = "0",
            ["Resilience:Deadline:MethodTimeouts:/unstable.v1.UnstableService/Process"] = "00:00:00",
        });

        Assert.That(error.Message, Does.Contain("Resilience:Retry:MaxAttempts is many; it must be a whole number."));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:Bogus is not a setting"));
        Assert.That(error.Message, Does.Contain("Resilience:CircuitBreaker:FailureThreshold is 0; it must be at least 1."));
        Assert.That(error.Message, Does.Contain("Resilience:Deadline:MethodTimeouts:/unstable.v1.UnstableService/Process is 00:00:00"));
    }

    [Test]
    public async Task StartAsync_InvalidCodeOptions_FailsNamingTheProperty()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(o => o.Retry!.MaxAttempts = 0);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Bound));

        Assert.That(error!.Message, Does.Contain("RetryOptions.MaxAttempts"));
    }

    [Test]
    public async Task StartAsync_ValidConfiguration_Starts()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Resilience:Retry:MaxAttempts"] = "2" });
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(builder.Configuration.GetSection("Resilience"));
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Bound);
        await host.StopAsync().WaitAsync(Bound);
    }

    private static TestCaseData Invalid(string key, string value) =>
        new TestCaseData(key, value).SetName($"StartAsync_Invalid_{key.Replace(':', '_')}_{value}_FailsNamingKey");

    private static async Task<OptionsValidationException> StartFailsAsync(Dictionary<string, string?> values)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(builder.Configuration.GetSection("Resilience"));
        using var host = builder.Build();
        return (await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Bound)))!;
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static ResilienceOptions Bind(Dictionary<string, string?> values) => Resolve(Configuration(values));

    private static ResilienceOptions Resolve(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(configuration.GetSection("Resilience"));
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptionsMonitor<ResilienceOptions>>().Get("unstable");
    }
}
