using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.DependencyInjection;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.DependencyInjection;

/// <summary>
/// AddResilience on a generated client checks the hedged methods against the client's service at host start: a listed
/// client-streaming or duplex method, or one the service does not have, fails start-up.
/// </summary>
public sealed class HedgedMethodKindsTests
{
    private const string Upload = "/unstable.v1.UnstableService/Upload";
    private const string Echo = "/unstable.v1.UnstableService/Echo";
    private const string Typo = "/unstable.v1.UnstableService/Proces";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task StartAsync_StreamingAndUnknownMethodsInCode_OneMessageNamesEachEntryAndKind()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(o => o.Hedging = Hedging(Upload, Echo, Typo, "/unstable.v1.UnstableService/Process"));

        var error = await StartFailsAsync(builder);

        Assert.That(error.Message, Does.Contain(
            "HedgingOptions.HedgedMethods holds /unstable.v1.UnstableService/Upload, a client-streaming method of unstable.v1.UnstableService; " +
            "hedging applies only to unary and server-streaming methods, so remove it."));
        Assert.That(error.Message, Does.Contain(
            "HedgingOptions.HedgedMethods holds /unstable.v1.UnstableService/Echo, a duplex method of unstable.v1.UnstableService; " +
            "hedging applies only to unary and server-streaming methods, so remove it."));
        Assert.That(error.Message, Does.Contain(
            "HedgingOptions.HedgedMethods holds /unstable.v1.UnstableService/Proces: no such method in unstable.v1.UnstableService."));
        Assert.That(error.Message, Does.StartWith("Resilience settings of gRPC client 'unstable' are invalid: "));
        Assert.That(error.Message, Does.Not.Contain("UnstableService/Process,"), "a unary method is fine");
    }

    [Test]
    public async Task StartAsync_StreamingAndUnknownMethodsInConfiguration_OneMessageNamesEachByPath()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Resilience:Hedging:HedgedMethods:0"] = Upload,
            ["Resilience:Hedging:HedgedMethods:1"] = Echo,
            ["Resilience:Hedging:HedgedMethods:2"] = Typo,
            ["Resilience:Hedging:HedgedMethods:3"] = "/unstable.v1.UnstableService/Subscribe",
            ["Resilience:Retry:MaxAttempts"] = "0",
        });
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(builder.Configuration.GetSection("Resilience"));

        var error = await StartFailsAsync(builder);

        Assert.That(error.Message, Does.Contain(
            "Resilience:Hedging:HedgedMethods holds /unstable.v1.UnstableService/Upload, a client-streaming method of unstable.v1.UnstableService; " +
            "hedging applies only to unary and server-streaming methods, so remove it."));
        Assert.That(error.Message, Does.Contain(
            "Resilience:Hedging:HedgedMethods holds /unstable.v1.UnstableService/Echo, a duplex method of unstable.v1.UnstableService;"));
        Assert.That(error.Message, Does.Contain(
            "Resilience:Hedging:HedgedMethods holds /unstable.v1.UnstableService/Proces: no such method in unstable.v1.UnstableService."));
        Assert.That(error.Message, Does.Contain("Resilience:Retry:MaxAttempts is 0"), "with the other problems, in one message");
        Assert.That(error.Message, Does.Not.Contain("Subscribe"), "a server-streaming method is fine");
    }

    [Test]
    public async Task StartAsync_SeveralBadEntries_NamedInOrdinalOrderWhateverTheOrderTheyWereGiven()
    {
        // The same settings give the same message, however the set enumerates them.
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(o => o.Hedging = Hedging(Upload, Typo, Echo));

        var error = await StartFailsAsync(builder);

        var named = new[] { Echo, Typo, Upload }.Select(entry => error.Message.IndexOf($"holds {entry}", StringComparison.Ordinal)).ToList();
        Assert.That(named, Is.All.GreaterThanOrEqualTo(0));
        Assert.That(named, Is.Ordered, "Echo, Proces, Upload");
    }

    [Test]
    public async Task StartAsync_DefaultClientName_StillFindsTheService()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>(o => o.Address = new Uri("http://localhost"))
            .AddResilience(o => o.Hedging = Hedging(Echo));

        var error = await StartFailsAsync(builder);

        Assert.That(error.Message, Does.Contain("HedgingOptions.HedgedMethods holds /unstable.v1.UnstableService/Echo, a duplex method"));
    }

    [Test]
    public async Task StartAsync_ClientDerivedFromAGeneratedOne_ChecksTheGeneratedService()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<DerivedClient>("derived", o => o.Address = new Uri("http://localhost"))
            .AddResilience(o => o.Hedging = Hedging(Upload));

        var error = await StartFailsAsync(builder);

        Assert.That(error.Message, Does.Contain("HedgingOptions.HedgedMethods holds /unstable.v1.UnstableService/Upload, a client-streaming method"));
    }

    [TestCase("/unstable.v1.UnstableService/Process", "/unstable.v1.UnstableService/Subscribe")]
    [TestCase("unstable.v1.UnstableService")]
    [TestCase("unstable.v1.UnstableService", "/other.v1.OtherService/Echo", "other.v1.OtherService")]
    public async Task StartAsync_UnaryServerStreamingServiceOrOtherServices_Starts(params string[] entries)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<UnstableService.UnstableServiceClient>("unstable", o => o.Address = new Uri("http://localhost"))
            .AddResilience(o => o.Hedging = Hedging(entries));
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Bound);
        await host.StopAsync().WaitAsync(Bound);
    }

    [Test]
    public async Task StartAsync_HandWrittenClient_NothingMoreChecked()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddGrpcClient<HandWrittenClient>("hand", o => o.Address = new Uri("http://localhost"))
            .AddResilience(o => o.Hedging = Hedging(Upload, Typo));
        using var host = builder.Build();

        await host.StartAsync().WaitAsync(Bound);
        await host.StopAsync().WaitAsync(Bound);
    }

    [Test]
    public void GeneratedServiceMethods_GeneratedClient_ReadsEachMethodAndKind()
    {
        var service = GeneratedServiceMethods.Of(typeof(UnstableService.UnstableServiceClient));

        Assert.That(service, Is.Not.Null);
        Assert.That(service!.Name, Is.EqualTo("unstable.v1.UnstableService"));
        Assert.That(
            new[] { "Process", "Subscribe", "Upload", "Echo" }.Select(m => service.TryGetKind(m, out var kind) ? kind : (MethodType?)null),
            Is.EqualTo(new MethodType?[] { MethodType.Unary, MethodType.ServerStreaming, MethodType.ClientStreaming, MethodType.DuplexStreaming }));
        Assert.That(service.TryGetKind("Proces", out _), Is.False);
        Assert.That(GeneratedServiceMethods.Of(typeof(HandWrittenClient)), Is.Null);
        Assert.That(GeneratedServiceMethods.Of(typeof(string)), Is.Null);
    }

    [Test]
    public void GrpcClientTypes_CustomAndDefaultNames_MapToTheirClientTypes()
    {
        var services = new ServiceCollection();
        var custom = services.AddGrpcClient<UnstableService.UnstableServiceClient>("orders");
        var byDefault = services.AddGrpcClient<HandWrittenClient>();
        services.AddHttpClient("plain");
        using var provider = services.BuildServiceProvider();

        Assert.That(GrpcClientTypes.Of(provider, custom.Name), Is.EqualTo(typeof(UnstableService.UnstableServiceClient)));
        Assert.That(GrpcClientTypes.Of(provider, byDefault.Name), Is.EqualTo(typeof(HandWrittenClient)));
        Assert.That(GrpcClientTypes.Of(provider, "plain"), Is.Null, "an HttpClient, not a gRPC client");
        Assert.That(GrpcClientTypes.Of(new ServiceCollection().BuildServiceProvider(), "orders"), Is.Null, "no client factory at all");
    }

    private static HedgingOptions Hedging(params string[] entries) => new() { HedgedMethods = new HashSet<string>(entries, StringComparer.Ordinal) };

    private static async Task<OptionsValidationException> StartFailsAsync(HostApplicationBuilder builder)
    {
        using var host = builder.Build();
        return (await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Bound)))!;
    }

    /// <summary>A client a user derived from the generated one: it is not nested in the generated service class.</summary>
    public sealed class DerivedClient(CallInvoker invoker) : UnstableService.UnstableServiceClient(invoker);

    /// <summary>A hand-written client: no generated service class, no descriptor.</summary>
    public sealed class HandWrittenClient : ClientBase<HandWrittenClient>
    {
        public HandWrittenClient(CallInvoker invoker)
            : base(invoker)
        {
        }

        private HandWrittenClient(ClientBaseConfiguration configuration)
            : base(configuration)
        {
        }

        protected override HandWrittenClient NewInstance(ClientBaseConfiguration configuration) => new(configuration);
    }
}
