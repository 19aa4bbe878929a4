using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>
/// <c>AddGrpcClient(...).AddOutlierDetection()</c>: the client factory's handler chain ends up under the balancer, the
/// container's resolver and clock are used, and the failing replica is ejected.
/// </summary>
[NonParallelizable]
public sealed class OutlierDetectionClientFactoryTests
{
    [Test]
    public async Task AddOutlierDetection_EjectsTheFailingReplica_WithTheContainersResolverAndClock()
    {
        await using var fleet = await ReplicaSet.StartAsync(
            new ChaosOptions(),
            new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0, ErrorCodes = [StatusCode.Unavailable] },
            new ChaosOptions());
        var bad = fleet.Replicas[1];
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).SetMinimumLevel(LogLevel.Information));
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => [.. fleet.Replicas.Select(r => new BalancerAddress(r.EndPoint.Host, r.EndPoint.Port))]));
        services.AddGrpcClient<UnstableService.UnstableServiceClient>(o => o.Address = new Uri("static:///fleet"))
            .ConfigureChannel(o => o.Credentials = ChannelCredentials.Insecure)
            .AddOutlierDetection(o => o.ConsecutiveFailures = 3);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<UnstableService.UnstableServiceClient>();

        var failures = 0;
        for (var i = 0; i < 30; i++)
        {
            try
            {
                await client.ProcessAsync(new ProcessRequest { RequestId = $"r{i}" }).ResponseAsync.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                failures++;
            }
        }

        Assert.That(bad.Statistics.TotalCalls, Is.EqualTo(3), "three failures in a row eject it; then nothing reaches it");
        Assert.That(failures, Is.EqualTo(3), "no retry here: the calls it took fail, the others succeed");
        Assert.That(logs.GetSnapshot().Select(r => r.Message), Does.Contain($"Endpoint {bad.Name} ejected for 30 s after 3 consecutive failures"));
    }
}
