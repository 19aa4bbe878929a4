using Grpc.Core;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Integration;

/// <summary>
/// What the real grpc-dotnet channel does, pinned down because the interceptors depend on it and the scripted
/// network of the unit tests (<see cref="ScriptedCallInvoker"/>) imitates it.
/// </summary>
public sealed class GrpcChannelBehaviourTests
{
    private static readonly TimeSpan Bound = ChaosServerHost.DefaultTimeout;
    private ChaosServerHost host = null!;

    [OneTimeSetUp]
    public async Task StartServer() =>
        host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });

    [OneTimeTearDown]
    public async Task StopServer() => await host.DisposeAsync();

    [Test]
    public async Task AsyncUnaryCall_TrailersOnlyFailure_ResponseHeadersCompleteSuccessfullyAndEmpty()
    {
        using var call = host.Client.ProcessAsync(new ProcessRequest(), deadline: DateTime.UtcNow + Bound);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        var headers = await call.ResponseHeadersAsync.WaitAsync(Bound);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(headers.Where(h => !h.Key.StartsWith("grpc-", StringComparison.Ordinal)), Is.Empty, headers.ToString());
    }

    [Test]
    public async Task AsyncServerStreamingCall_TrailersOnlyFailure_ResponseHeadersCompleteSuccessfully()
    {
        using var call = host.Client.Subscribe(new SubscribeRequest { Count = 1 }, deadline: DateTime.UtcNow + Bound);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        var headers = await call.ResponseHeadersAsync.WaitAsync(Bound);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(headers, Is.Not.Null);
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Error), Is.GreaterThanOrEqualTo(1));
    }
}
