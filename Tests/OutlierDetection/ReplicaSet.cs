using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Hosting;
using ResilientGrpc.Server.Telemetry;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>Replicas of the chaos server on loopback Kestrel (HTTP/2 without TLS), each on its own port.</summary>
internal sealed class ReplicaSet : IAsyncDisposable
{
    private readonly List<WebApplication> apps = [];

    private ReplicaSet()
    {
    }

    public IReadOnlyList<Replica> Replicas { get; private set; } = [];

    public static async Task<ReplicaSet> StartAsync(params ChaosOptions[] chaos)
    {
        var set = new ReplicaSet();
        var replicas = new List<Replica>();
        try
        {
            foreach (var options in chaos)
            {
                var builder = WebApplication.CreateBuilder();
                builder.Logging.ClearProviders();
                builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
                var app = UnstableServerApplication.Build(builder, options);
                set.apps.Add(app);
                await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(10));
                var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
                replicas.Add(new Replica(
                    new DnsEndPoint(address.Host, address.Port),
                    app.Services.GetRequiredService<ChaosController>(),
                    app.Services.GetRequiredService<ServerCallStatistics>()));
            }
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }

        set.Replicas = replicas;
        return set;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in apps)
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
            await app.DisposeAsync();
        }
    }

    /// <summary>One replica: where it listens, its chaos switch and what it received.</summary>
    internal sealed record Replica(DnsEndPoint EndPoint, ChaosController Controller, ServerCallStatistics Statistics)
    {
        public string Name => $"{EndPoint.Host}:{EndPoint.Port}";
    }
}
