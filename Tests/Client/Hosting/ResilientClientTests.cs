using System.Diagnostics.Metrics;
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
}
