using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;
using ResilientGrpc.Tests.Integration;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>
/// On a real channel to the in-process chaos server: grpc-dotnet's own activity of each attempt
/// (<c>Grpc.Net.Client.GrpcOut</c>, on its <c>Grpc.Net.Client</c> activity source) is a child of the call's span.
/// </summary>
public sealed class GrpcChildActivityTests
{
    private ChaosServerHost host = null!;

    [OneTimeSetUp]
    public async Task StartServer() => host = await ChaosServerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [SetUp]
    public void HealServer()
    {
        host.Controller.Apply(new ChaosOptions());
        host.Statistics.Reset();
    }

    [Test]
    public async Task AlwaysUnavailable_ThreeGrpcAttemptActivitiesUnderOneSpan()
    {
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });
        using var spans = new SpanCollector();
        using var stack = new ResilienceStack(host, ResilienceStack.DefaultsWithoutJitter());

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "r1" });
        await Assert.CatchAsync<RpcException>(() => stack.Drive(call.ResponseAsync, TimeSpan.FromSeconds(4)));

        var span = spans.Single();
        var attempts = spans.GrpcActivities;
        TestContext.Out.WriteLine(span.Describe());
        foreach (var attempt in attempts)
        {
            TestContext.Out.WriteLine($"  child {attempt.OperationName} ({attempt.Source.Name}) status={attempt.GetTagItem("grpc.status_code")} parent={(attempt.ParentSpanId == span.SpanId ? "the call's span" : attempt.ParentSpanId.ToString())}");
        }

        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(3));
        Assert.That(attempts, Has.Count.EqualTo(3), "one grpc-dotnet activity per attempt");
        Assert.That(attempts.Select(a => a.OperationName), Is.All.EqualTo("Grpc.Net.Client.GrpcOut"));
        Assert.That(attempts.Select(a => a.Parent), Is.All.SameAs(span), "each attempt is a child of the call's span");
        Assert.That(span.Parent, Is.SameAs(spans.Root));
        Assert.That(span.Events("retry.scheduled"), Has.Count.EqualTo(2));
        Assert.That(span.GetTagItem("grpc.status"), Is.EqualTo("UNAVAILABLE"));
    }

    [Test]
    public async Task WithResilience_Succeeds_OneGrpcAttemptActivityUnderTheSpan()
    {
        using var spans = new SpanCollector();
        using var channel = host.CreateChannel();
        var client = new UnstableService.UnstableServiceClient(channel.WithResilience());

        await client.ProcessAsync(new ProcessRequest { RequestId = "r1" }).ResponseAsync.WaitAsync(ChaosServerHost.DefaultTimeout);

        var span = spans.Single();
        Assert.That(spans.GrpcActivities.Select(a => a.Parent), Is.EqualTo(new[] { span }));
        Assert.That(span.GetTagItem("grpc.target"), Is.EqualTo(channel.Target));
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Unset));
    }
}
