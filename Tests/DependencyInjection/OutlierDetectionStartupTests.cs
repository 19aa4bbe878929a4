using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.DependencyInjection;

/// <summary>AddOutlierDetection's settings, from code or from configuration: invalid ones fail host start, each named.</summary>
public sealed class OutlierDetectionStartupTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task StartAsync_InvalidCodeOptions_FailsNamingEachProperty()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("fleet", o => o.Address = new Uri("static:///fleet"))
            .AddOutlierDetection(o =>
            {
                o.MaxEjectionPercent = 0;
                o.Interval = TimeSpan.Zero;
            });
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Bound));

        Assert.That(error!.Message, Does.Contain("'fleet'"));
        Assert.That(error.Message, Does.Contain("OutlierDetectionOptions.MaxEjectionPercent is 0"));
        Assert.That(error.Message, Does.Contain("OutlierDetectionOptions.Interval is 00:00:00"));
    }

    [Test]
    public async Task StartAsync_UnknownAndInvalidConfiguration_FailsNamingEachByPath()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OutlierDetection:MaxEjectionPercent"] = "101",
            ["OutlierDetection:Bogus"] = "1",
        });
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("fleet", o => o.Address = new Uri("static:///fleet"))
            .AddOutlierDetection(builder.Configuration.GetSection("OutlierDetection"));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Bound));

        Assert.That(error!.Message, Does.Contain("OutlierDetection:MaxEjectionPercent is 101; it must be between 1 and 100."));
        Assert.That(error.Message, Does.Contain("OutlierDetection:Bogus is not a setting"));
    }

    [Test]
    public void AddOutlierDetection_FromConfigurationThenCode_CodeAppliesLast()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OutlierDetection:ConsecutiveFailures"] = "3",
            ["OutlierDetection:MaxEjectionPercent"] = "34",
        }).Build();
        var services = new ServiceCollection();
        services.AddGrpcClient<UnstableService.UnstableServiceClient>("fleet", o => o.Address = new Uri("static:///fleet"))
            .AddOutlierDetection(configuration.GetSection("OutlierDetection"), o => o.ConsecutiveFailures = 7);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<OutlierDetectionOptions>>().Get("fleet");

        Assert.That(options.ConsecutiveFailures, Is.EqualTo(7));
        Assert.That(options.MaxEjectionPercent, Is.EqualTo(34));
    }
}
