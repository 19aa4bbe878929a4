using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ResilientGrpc.Client.Hosting;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Tests.Client.Hosting;

/// <summary>
/// The client's host exports traces and metrics over OTLP only when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// variable is set, besides its Prometheus endpoint, which it always serves.
/// </summary>
public sealed class ClientHostTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task OtlpEndpointUnset_NoTracingAndNoOtlp()
    {
        await using var app = ClientHost.Build(0, anyAddress: false, l => l.ClearProviders(), new Dictionary<string, string?>());
        await app.StartAsync().WaitAsync(Bound);

        Assert.That(ClientHost.ExportsOtlp(app.Configuration), Is.False);
        Assert.That(app.Services.GetService<TracerProvider>(), Is.Null, "no tracer provider: no span is created for nothing");
        Assert.That(app.Services.GetService<MeterProvider>(), Is.Not.Null, "metrics for Prometheus all the same");
        await app.StopAsync().WaitAsync(Bound);
    }

    [Test]
    public async Task OtlpEndpointSet_TracesAndMetricsReachIt()
    {
        var received = new ConcurrentDictionary<string, int>();
        await using var sink = await StartSink(received);
        var settings = new Dictionary<string, string?>
        {
            [ClientHost.OtlpEndpointVariable] = Address(sink),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        };
        await using var app = ClientHost.Build(0, anyAddress: false, l => l.ClearProviders(), settings);
        await app.StartAsync().WaitAsync(Bound);

        using (ResilienceActivitySource.Source.StartActivity("probe"))
        {
        }

        // The Prometheus reader, pulled rather than pushed, makes the meter provider's flush report false: wait for the sink.
        app.Services.GetRequiredService<TracerProvider>().ForceFlush(5000);
        app.Services.GetRequiredService<MeterProvider>().ForceFlush(5000);
        await Until(() => received.ContainsKey("/v1/traces") && received.ContainsKey("/v1/metrics"));

        Assert.That(received.Keys, Is.SupersetOf(new[] { "/v1/traces", "/v1/metrics" }), "traces and metrics exported over OTLP");
        await app.StopAsync().WaitAsync(Bound);
    }

    private static async Task Until(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && watch.Elapsed < Bound)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>An OTLP/HTTP endpoint on loopback that counts what it receives, by path.</summary>
    private static async Task<WebApplication> StartSink(ConcurrentDictionary<string, int> received)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var sink = builder.Build();
        sink.MapPost("/v1/{signal}", (HttpContext http) =>
        {
            received.AddOrUpdate(http.Request.Path.Value!, 1, (_, n) => n + 1);
            return Results.Ok();
        });
        await sink.StartAsync().WaitAsync(Bound);
        return sink;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
}
