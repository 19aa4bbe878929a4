using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.DependencyInjection;

/// <summary>AddResilience with hedging, against the real chaos server: hedges go at once on UNAVAILABLE, and retry stays off the method.</summary>
public sealed class HedgingRegistrationTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private ChaosServerHost host = null!;

    [OneTimeSetUp]
    public async Task StartServer() =>
        host = await ChaosServerHost.StartAsync(o =>
        {
            o.Enabled = true;
            o.ErrorRate = 1;
            o.HangRate = 0;
        });

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [Test]
    public async Task AddResilience_HedgingOnProcess_SendsThreeHedgesWithoutWaitingForABackoff()
    {
        host.Statistics.Reset();
        var collection = new ServiceCollection();

        // Time that never moves: a retry backoff would never end, a hedge after UNAVAILABLE needs no time.
        collection.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow));
        collection
            .AddGrpcClient<UnstableService.UnstableServiceClient>("hedged", o => o.Address = host.BaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => new NonDisposingHandler(host.HttpHandler))
            .AddResilience(o => o.Hedging = new HedgingOptions { HedgedMethods = { "/unstable.v1.UnstableService/Process" } });
        await using var services = collection.BuildServiceProvider();
        var client = services.GetRequiredService<GrpcClientFactory>().CreateClient<UnstableService.UnstableServiceClient>("hedged");

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(new ProcessRequest { RequestId = "h1" }).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(3));
    }

    /// <summary>Lets the client factory own a handler without disposing the host's shared one.</summary>
    private sealed class NonDisposingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override void Dispose(bool disposing)
        {
            // The host disposes the shared handler.
        }
    }
}
