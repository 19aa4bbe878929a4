using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Hosting;
using ResilientGrpc.Server.Telemetry;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// The real chaos service hosted in this process on a free loopback port (Kestrel, plaintext HTTP/2), so the
/// demo needs nothing else. Chaos starts off; the scenario steers it through <see cref="Chaos"/>.
/// </summary>
internal sealed class InProcessChaosServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private InProcessChaosServer(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
        Chaos = app.Services.GetRequiredService<ChaosController>();
        Statistics = app.Services.GetRequiredService<ServerCallStatistics>();
    }

    /// <summary>Gets the server's address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; }

    /// <summary>Gets the chaos settings in force, changeable at runtime.</summary>
    public ChaosController Chaos { get; }

    /// <summary>Gets what the server received: the truth the summary is checked against.</summary>
    public ServerCallStatistics Statistics { get; }

    /// <summary>Starts the server.</summary>
    /// <param name="configureLogging">Sets up the server's logging (the demo shows its warnings only).</param>
    /// <param name="cancellationToken">Abandons start-up.</param>
    public static async Task<InProcessChaosServer> StartAsync(Action<ILoggingBuilder> configureLogging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configureLogging);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        configureLogging(builder.Logging);

        var app = UnstableServerApplication.Build(builder, new ChaosOptions { Enabled = false });
        try
        {
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
                .Addresses.Single();
            return new InProcessChaosServer(app, new Uri(address));
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }
}
