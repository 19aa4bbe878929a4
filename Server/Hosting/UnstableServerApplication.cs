using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Services;
using ResilientGrpc.Server.Telemetry;

namespace ResilientGrpc.Server.Hosting;

/// <summary>
/// Builds the unstable (chaos) server on any <see cref="WebApplicationBuilder"/>: the real executable
/// uses it with Kestrel, tests and the demo client use it in-process (for example with TestServer).
/// </summary>
/// <remarks>
/// Maps <c>unstable.v1.UnstableService</c>, <c>grpc.health.v1.Health</c>, server reflection and the
/// Prometheus scraping endpoint <c>/metrics</c>. Resolve <see cref="ChaosController"/> and
/// <see cref="ServerCallStatistics"/> from <c>app.Services</c> to steer and observe the server.
/// Register a <see cref="TimeProvider"/> in <c>builder.Services</c> first to control time (hangs and
/// the outage clock); otherwise <see cref="TimeProvider.System"/> is used.
/// </remarks>
public static class UnstableServerApplication
{
    /// <summary>The name of the server's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = ServerMetrics.MeterName;

    /// <summary>The fully qualified name of the gRPC service, as used by health checks and reflection.</summary>
    public const string ServiceName = "unstable.v1.UnstableService";

    /// <summary>The path of the Prometheus scraping endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Registers the server's services, builds the application and maps its endpoints.</summary>
    /// <param name="builder">The builder; Kestrel or TestServer must already be chosen on it.</param>
    /// <param name="options">
    /// The chaos settings (copied). When <see langword="null"/>, they are read from
    /// <c>builder.Configuration</c> (the <c>CHAOS_*</c> environment variables).
    /// </param>
    /// <returns>The application, ready to run; it does not listen yet.</returns>
    /// <exception cref="ChaosConfigurationException">The chaos settings are invalid; the message lists every problem.</exception>
    public static WebApplication Build(WebApplicationBuilder builder, ChaosOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var chaos = options?.Clone() ?? ChaosOptions.FromConfiguration(builder.Configuration);
        chaos.Validate();

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ChaosController(chaos, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new ServerCallStatistics());
        services.AddSingleton<ServerMetrics>();
        services.AddSingleton<ChaosCallGate>();

        services.AddGrpc();
        // With no check registered the health service would answer UNKNOWN; this process is healthy
        // when it runs (chaos is simulated misbehaviour, not ill health).
        services.AddGrpcHealthChecks(health => health.Services.Map(ServiceName, _ => true))
            .AddCheck("unstable-server", () => HealthCheckResult.Healthy());
        services.AddGrpcReflection();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterName)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());

        var app = builder.Build();
        app.MapGrpcService<UnstableService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapPrometheusScrapingEndpoint(MetricsPath);

        LogConfiguration(app, chaos);
        return app;
    }

    private static void LogConfiguration(WebApplication app, ChaosOptions chaos)
    {
        var outage = chaos is { OutageEvery: { } every, OutageFor: { } length }
            ? $"first {ChaosDuration.Format(length)} of every {ChaosDuration.Format(every)}"
            : "off";
        ServerLog.ChaosConfigured(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UnstableServerApplication)),
            chaos.Enabled ? "on" : "off",
            chaos.ErrorRate,
            string.Join(",", chaos.ErrorCodes.Select(ChaosStatusCodes.ToName)),
            chaos.ErrorPushback ?? "none",
            chaos.HangRate,
            ChaosDuration.Format(chaos.HangDuration),
            outage,
            chaos.CapacityHandlers is { } handlers
                ? $"{handlers} handlers × {ChaosDuration.Format(chaos.ServiceTime)} {chaos.ServiceTimeVariation.ToString().ToLowerInvariant()}, overflow {chaos.Overflow.ToString().ToLowerInvariant()}"
                : "unlimited",
            chaos.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "random");
    }
}
