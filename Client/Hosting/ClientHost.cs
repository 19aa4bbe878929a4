using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// The client's host in every mode: logging, the <see cref="TimeProvider"/>, and OpenTelemetry metrics (the
/// library's meter plus .NET runtime metrics) served for Prometheus at <c>/metrics</c> over HTTP/1.1.
/// </summary>
internal static class ClientHost
{
    public const string MetricsPath = "/metrics";

    /// <summary>Builds the host; it does not listen until started.</summary>
    /// <param name="metricsPort">The port of <c>/metrics</c>; 0 picks a free one.</param>
    /// <param name="anyAddress">Listen on every interface (containers) rather than loopback only (the demo).</param>
    /// <param name="configureLogging">Sets up logging.</param>
    public static WebApplication Build(int metricsPort, bool anyAddress, Action<ILoggingBuilder> configureLogging)
    {
        ArgumentNullException.ThrowIfNull(configureLogging);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (anyAddress)
            {
                kestrel.ListenAnyIP(metricsPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
            else
            {
                kestrel.Listen(IPAddress.Loopback, metricsPort, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        configureLogging(builder.Logging);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ResilienceTelemetry.MeterName)
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>The address of the started host's <c>/metrics</c>.</summary>
    public static string MetricsUrl(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>()
            .Addresses.First();
        return address.TrimEnd('/') + MetricsPath;
    }
}
