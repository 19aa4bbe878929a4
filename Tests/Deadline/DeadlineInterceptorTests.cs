using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Deadline;

public sealed class DeadlineInterceptorTests
{
    private const string Subscribe = "/unstable.v1.UnstableService/Subscribe";
    private const string Service = "unstable.v1.UnstableService";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private FakeTimeProvider time = null!;
    private ScriptedCallInvoker network = null!;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    [SetUp]
    public void SetUp()
    {
        time = new FakeTimeProvider();
        network = new ScriptedCallInvoker(time);
    }

    [Test]
    public async Task AsyncUnaryCall_NoCallerDeadline_GetsNowPlusTimeout()
    {
        var client = Client(new DeadlineOptions());
        time.Pass(TimeSpan.FromMinutes(5));

        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        Assert.That(network.Arrivals.Single().Deadline, Is.EqualTo(Now.AddSeconds(2)));
    }

    [Test]
    public async Task AsyncUnaryCall_EarlierCallerDeadline_IsKept()
    {
        var client = Client(new DeadlineOptions());
        var callerDeadline = Now.AddSeconds(1);

        await client.ProcessAsync(new ProcessRequest(), deadline: callerDeadline).ResponseAsync.WaitAsync(Bound);

        Assert.That(network.Arrivals.Single().Deadline, Is.EqualTo(callerDeadline));
    }

    [Test]
    public async Task AsyncUnaryCall_LaterCallerDeadline_IsCapped()
    {
        var client = Client(new DeadlineOptions());

        await client.ProcessAsync(new ProcessRequest(), deadline: Now.AddSeconds(10)).ResponseAsync.WaitAsync(Bound);

        Assert.That(network.Arrivals.Single().Deadline, Is.EqualTo(Now.AddSeconds(2)));
    }

    [Test]
    public async Task AsyncUnaryCall_ServerHangs_FailsWithDeadlineExceededAfterTimeout()
    {
        network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(new DeadlineOptions());

        var call = client.ProcessAsync(new ProcessRequest());
        time.Pass(TimeSpan.FromMilliseconds(1999));
        Assert.That(call.ResponseAsync.IsCompleted, Is.False);
        time.Pass(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
    }

    [Test]
    public void BlockingUnaryCall_NoCallerDeadline_GetsNowPlusTimeout()
    {
        var client = Client(new DeadlineOptions { Timeout = TimeSpan.FromSeconds(3) });

        client.Process(new ProcessRequest());

        Assert.That(network.Arrivals.Single().Deadline, Is.EqualTo(Now.AddSeconds(3)));
    }

    [Test]
    public void AsyncServerStreamingCall_NoCallerDeadline_CarriesNoDeadline()
    {
        var client = Client(new DeadlineOptions());

        using var call = client.Subscribe(new SubscribeRequest());

        Assert.That(network.Arrivals.Single().Deadline, Is.Null, "the timeout bounds only the wait for the first response");
    }

    [Test]
    public async Task AsyncClientStreamingCall_NoCallerDeadline_CarriesNoDeadline()
    {
        var client = Client(new DeadlineOptions());

        using var call = client.Upload();
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(network.Arrivals.Single().Deadline, Is.Null);
    }

    [Test]
    public void AsyncDuplexStreamingCall_NoCallerDeadline_CarriesNoDeadline()
    {
        var client = Client(new DeadlineOptions());

        using var call = client.Echo();

        Assert.That(network.Arrivals.Single().Deadline, Is.Null);
    }

    [Test]
    public async Task AsyncServerStreamingCall_FullMethodOverride_UsesOverride()
    {
        var client = Client(new DeadlineOptions { MethodTimeouts = { [Subscribe] = TimeSpan.FromSeconds(30) } });

        using var stream = client.Subscribe(new SubscribeRequest());
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);

        Assert.That(network.Arrivals[0].Deadline, Is.EqualTo(Now.AddSeconds(30)));
        Assert.That(network.Arrivals[1].Deadline, Is.EqualTo(Now.AddSeconds(2)));
    }

    [Test]
    public async Task AsyncUnaryCall_ServiceOverride_UsesOverrideUnlessMethodOverrideExists()
    {
        var client = Client(new DeadlineOptions
        {
            MethodTimeouts = { [Service] = TimeSpan.FromSeconds(5), [Subscribe] = TimeSpan.FromSeconds(7) },
        });

        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        using var stream = client.Subscribe(new SubscribeRequest());

        Assert.That(network.Arrivals[0].Deadline, Is.EqualTo(Now.AddSeconds(5)));
        Assert.That(network.Arrivals[1].Deadline, Is.EqualTo(Now.AddSeconds(7)));
    }

    [Test]
    public void AsyncServerStreamingCall_InfiniteOverride_AddsNoDeadline()
    {
        var client = Client(new DeadlineOptions { MethodTimeouts = { [Subscribe] = Timeout.InfiniteTimeSpan } });

        using var call = client.Subscribe(new SubscribeRequest());

        Assert.That(network.Arrivals.Single().Deadline, Is.Null);
    }

    [Test]
    public void AsyncServerStreamingCall_InfiniteOverrideWithCallerDeadline_KeepsCallerDeadline()
    {
        var client = Client(new DeadlineOptions { MethodTimeouts = { [Subscribe] = Timeout.InfiniteTimeSpan } });
        var callerDeadline = Now.AddHours(1);

        using var call = client.Subscribe(new SubscribeRequest(), deadline: callerDeadline);

        Assert.That(network.Arrivals.Single().Deadline, Is.EqualTo(callerDeadline));
    }

    [Test]
    public async Task Constructor_OptionsMutatedAfterwards_KeepsOriginalTimeouts()
    {
        var options = new DeadlineOptions();
        var client = Client(options);

        options.Timeout = TimeSpan.FromSeconds(9);
        options.MethodTimeouts[Subscribe] = TimeSpan.FromSeconds(9);
        options.MethodTimeouts[Service] = TimeSpan.FromSeconds(9);
        await client.ProcessAsync(new ProcessRequest()).ResponseAsync.WaitAsync(Bound);
        using var call = client.Subscribe(new SubscribeRequest());

        Assert.That(network.Arrivals[0].Deadline, Is.EqualTo(Now.AddSeconds(2)));
        Assert.That(network.Arrivals[1].Deadline, Is.Null);
    }

    private UnstableService.UnstableServiceClient Client(DeadlineOptions options) =>
        new(network.Intercept(new DeadlineInterceptor(options, time)));
}
