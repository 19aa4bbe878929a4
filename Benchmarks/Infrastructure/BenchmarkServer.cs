using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Hosting;
using ResilientGrpc.Server.Telemetry;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>The real chaos server hosted in this process, in memory (TestServer) or on loopback Kestrel (HTTP/2).</summary>
public sealed class BenchmarkServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TestServer? testServer;

    private BenchmarkServer(WebApplication app, Transport transport)
    {
        this.app = app;
        Transport = transport;
        Controller = app.Services.GetRequiredService<ChaosController>();
        Statistics = app.Services.GetRequiredService<ServerCallStatistics>();
        if (transport == Transport.InMemory)
        {
            testServer = app.GetTestServer();
            Address = testServer.BaseAddress;
        }
        else
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
            Address = new Uri(addresses.Addresses.First());
        }
    }

    /// <summary>Gets how the server is reached.</summary>
    public Transport Transport { get; }

    /// <summary>Gets the address channels connect to.</summary>
    public Uri Address { get; }

    /// <summary>Gets the server's chaos switch.</summary>
    public ChaosController Controller { get; }

    /// <summary>Gets what the server received.</summary>
    public ServerCallStatistics Statistics { get; }

    /// <summary>Starts a server with <paramref name="chaos"/> (chaos off when null).</summary>
    public static async Task<BenchmarkServer> StartAsync(Transport transport, ChaosOptions? chaos = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        if (transport == Transport.InMemory)
        {
            builder.WebHost.UseTestServer();
        }
        else
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        }

        var app = UnstableServerApplication.Build(builder, chaos ?? new ChaosOptions());
        await app.StartAsync().ConfigureAwait(false);
        return new BenchmarkServer(app, transport);
    }

    /// <summary>Creates a channel to the server; the caller disposes it.</summary>
    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null)
    {
        options ??= new GrpcChannelOptions();
        options.HttpHandler ??= testServer is null
            ? new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan }
            : testServer.CreateHandler();
        return GrpcChannel.ForAddress(Address, options);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
