using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// The client's host in every mode: logging, the <see cref="TimeProvider"/>, and OpenTelemetry metrics (the
/// library's meter plus .NET runtime metrics) served for Prometheus at <c>/metrics</c> over HTTP/1.1. When the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> variable is set, the same metrics and the traces (the library's call spans and
/// grpc-dotnet's attempt activities under them) are also exported there over OTLP, configured by the standard
/// <c>OTEL_*</c> variables.
/// </summary>
internal static class ClientHost
{
    public const string MetricsPath = "/metrics";

    /// <summary>The standard variable that names the OTLP endpoint; without it, nothing is exported over OTLP.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>grpc-dotnet's activity source: one activity per attempt, a child of the call's span.</summary>
    public const string GrpcClientSource = "Grpc.Net.Client";

    /// <summary>Builds the host; it does not listen until started.</summary>
    /// <param name="metricsPort">The port of <c>/metrics</c>; 0 picks a free one.</param>
    /// <param name="anyAddress">Listen on every interface (containers) rather than loopback only (the demo).</param>
    /// <param name="configureLogging">Sets up logging.</param>
    /// <param name="settings">Configuration over the environment's (the <c>OTEL_*</c> variables, say); tests set it.</param>
    public static WebApplication Build(
        int metricsPort, bool anyAddress, Action<ILoggingBuilder> configureLogging, IReadOnlyDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(configureLogging);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

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
        var otlp = ExportsOtlp(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(ResilienceTelemetry.MeterName).AddRuntimeInstrumentation().AddPrometheusExporter();
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        if (otlp)
        {
            // Traces only when they go somewhere: a tracer provider with no exporter would create every span for nothing.
            telemetry.WithTracing(tracing => tracing
                .AddSource(ResilienceTelemetry.ActivitySourceName)
                .AddSource(GrpcClientSource)
                .AddOtlpExporter());
        }

        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    /// <summary>Whether <paramref name="configuration"/> (the environment's included) names an OTLP endpoint.</summary>
    public static bool ExportsOtlp(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
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
