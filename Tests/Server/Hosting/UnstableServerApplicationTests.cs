using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Hosting;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Server.Hosting;

public sealed class UnstableServerApplicationTests
{
    private static CallOptions Bounded => new(deadline: DateTime.UtcNow + ChaosServerHost.DefaultTimeout);

    [Test]
    public void Build_BadChaosConfiguration_ThrowsListingEveryVariableBeforeListening()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["CHAOS_MODE"] = "on";
        builder.Configuration["CHAOS_ERROR_RATE"] = "2";

        var ex = Assert.Throws<ChaosConfigurationException>(() => UnstableServerApplication.Build(builder));

        Assert.That(ex!.Problems.Select(p => p.Variable), Is.EquivalentTo(new[] { "CHAOS_MODE", "CHAOS_ERROR_RATE" }));
    }

    [Test]
    public async Task Build_ChaosFromConfiguration_AppliesIt()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["CHAOS_MODE"] = "true";
        builder.Configuration["CHAOS_ERROR_RATE"] = "1";
        builder.Configuration["CHAOS_HANG_RATE"] = "0";
        builder.Configuration["CHAOS_ERROR_CODES"] = "aborted";
        await using var app = UnstableServerApplication.Build(builder);

        var options = app.Services.GetRequiredService<ChaosController>().Options;

        Assert.That(options.Enabled, Is.True);
        Assert.That(options.ErrorCodes, Is.EqualTo(new[] { StatusCode.Aborted }));
    }

    [TestCase("")]
    [TestCase("unstable.v1.UnstableService")]
    public async Task Health_Check_ReportsServing(string service)
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });
        using var channel = host.CreateChannel();

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service }, Bounded);

        Assert.That(reply.Status, Is.EqualTo(HealthCheckResponse.Types.ServingStatus.Serving));
    }

    [Test]
    public async Task Reflection_ListServices_IncludesUnstableService()
    {
        await using var host = await ChaosServerHost.StartAsync();
        using var channel = host.CreateChannel();
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(Bounded);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        var responses = await call.ResponseStream.ReadAllAsync().ToListAsync();

        var names = responses.SelectMany(r => r.ListServicesResponse.Service).Select(s => s.Name);
        Assert.That(names, Does.Contain("unstable.v1.UnstableService"));
    }

    [Test]
    public async Task Metrics_AfterCalls_ExposesPrometheusCounters()
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 0; });
        await host.Client.ProcessAsync(new ProcessRequest { RequestId = "m" }, Bounded);
        using var http = new HttpClient(host.HttpHandler, disposeHandler: false) { BaseAddress = host.BaseAddress };
        using var cts = new CancellationTokenSource(ChaosServerHost.DefaultTimeout);

        var text = await http.GetStringAsync(new Uri(UnstableServerApplication.MetricsPath, UriKind.Relative), cts.Token);

        Assert.That(text, Does.Contain("unstable_server_calls_total{"));
        Assert.That(text, Does.Contain("outcome=\"ok\""));
        Assert.That(text, Does.Contain("grpc_method=\"unstable.v1.UnstableService/Process\""));
    }
}
