using System.Diagnostics.Metrics;
using Grpc.Net.Client.Balancer;
using ResilientGrpc.Interceptors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ResilientGrpc.Client.Hosting;

namespace ResilientGrpc.Tests.Client.Hosting;

/// <summary>Continuous mode sends its calls through the client its configuration asks for.</summary>
public sealed class ResilientClientTests
{
    [TestCase("/unstable.v1.UnstableService/Process", true)]
    [TestCase("unstable.v1.UnstableService", true)]
    [TestCase("/unstable.v1.UnstableService/Subscribe", false)]
    [TestCase("unstable.v1.UnstableService/Process", false)]
    [TestCase(null, false)]
    public void ProcessClient_HedgingConfiguredOrNot_IsTheHedgedClientOnlyWhenProcessIsHedged(string? hedged, bool hedgesProcess)
    {
        var values = new Dictionary<string, string?>();
        if (hedged is not null)
        {
            values["Resilience:Hedging:HedgedMethods:0"] = hedged;
        }

        var options = ResilienceSettings.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        using var client = ResilientClient.Create(
            new Uri("http://localhost:1"), options, TimeProvider.System, NullLoggerFactory.Instance, services.GetRequiredService<IMeterFactory>());

        Assert.That(ReferenceEquals(client.ProcessClient, client.HedgedClient), Is.EqualTo(hedgesProcess));
        Assert.That(ReferenceEquals(client.ProcessClient, client.Client), Is.EqualTo(!hedgesProcess));
    }

    [Test]
    public void ChannelOptionsFor_DnsAddress_HasTheDnsResolverAndOutlierDetection()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        var (options, channelServices) = ResilientClient.ChannelOptionsFor(
            new Uri("dns:///unstable:5000"), [], TimeSpan.FromSeconds(15), TimeProvider.System, services.GetRequiredService<IMeterFactory>());
        using var owned = channelServices;

        Assert.Multiple(() =>
        {
            Assert.That(options.ServiceProvider!.GetService(typeof(ResolverFactory)), Is.InstanceOf<DnsResolverFactory>());
            Assert.That(options.ServiceConfig!.LoadBalancingConfigs.Single().PolicyName, Is.EqualTo(OutlierDetectionChannelOptionsExtensions.PolicyName));
            Assert.That(options.Credentials, Is.SameAs(Grpc.Core.ChannelCredentials.Insecure));
        });
    }

    [Test]
    public void ChannelOptionsFor_StaticAddress_HasTheStaticResolverAndOutlierDetection()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        var (options, channelServices) = ResilientClient.ChannelOptionsFor(
            new Uri("static:///unstable"), [new Uri("http://a:5000"), new Uri("http://b:5000")], null, TimeProvider.System, services.GetRequiredService<IMeterFactory>());
        using var owned = channelServices;

        Assert.Multiple(() =>
        {
            Assert.That(options.ServiceProvider!.GetService(typeof(ResolverFactory)), Is.InstanceOf<StaticResolverFactory>());
            Assert.That(options.ServiceConfig!.LoadBalancingConfigs.Single().PolicyName, Is.EqualTo(OutlierDetectionChannelOptionsExtensions.PolicyName));
        });
    }

    [Test]
    public void ChannelOptionsFor_OneServer_KeepsTheDefaults()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        var (options, channelServices) = ResilientClient.ChannelOptionsFor(
            new Uri("http://localhost:5000"), [], null, TimeProvider.System, services.GetRequiredService<IMeterFactory>());

        Assert.Multiple(() =>
        {
            Assert.That(channelServices, Is.Null);
            Assert.That(options.ServiceProvider, Is.Null);
            Assert.That(options.ServiceConfig, Is.Null);
            Assert.That(options.HttpHandler, Is.Null);
        });
    }

    [Test]
    public void Create_DnsAddress_CreatesABalancedChannel()
    {
        var options = ResilienceSettings.FromConfiguration(new ConfigurationBuilder().Build());
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        using var client = ResilientClient.Create(
            new Uri("dns:///localhost:1"), options, TimeProvider.System, NullLoggerFactory.Instance, services.GetRequiredService<IMeterFactory>(),
            dnsRefresh: TimeSpan.FromSeconds(15));

        Assert.That(client.ProcessClient, Is.Not.Null);
    }
}
