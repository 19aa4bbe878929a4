using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Integration.Propagation;

/// <summary>
/// A client called inside a gRPC service handler, registered with <c>EnableCallContextPropagation()</c> and
/// <c>AddResilience()</c>, in either order: each attempt gets min(its attempt timeout, what is left of the incoming
/// call's deadline), and the incoming call's cancellation stops the calls below, retries included. The order does not
/// matter because the client factory always puts the propagation interceptor outside the interceptors registered with
/// <c>AddInterceptor</c>, as ours are. Two real services in memory, real time with short durations.
/// </summary>
[NonParallelizable]
[TestFixture(true)]
[TestFixture(false)]
public sealed class CallContextPropagationTests(bool propagationFirst)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private BackService back = null!;
    private WebApplication backApp = null!;
    private WebApplication frontApp = null!;
    private GrpcChannel frontChannel = null!;

    private UnstableService.UnstableServiceClient Front => new(frontChannel);

    [SetUp]
    public async Task StartServices()
    {
        back = new BackService();
        backApp = await StartAsync(services => services.AddSingleton(back), app => app.MapGrpcService<BackService>());
        var backHandler = backApp.GetTestServer().CreateHandler();
        frontApp = await StartAsync(
            services =>
            {
                var client = services
                    .AddGrpcClient<UnstableService.UnstableServiceClient>(o => o.Address = backApp.GetTestServer().BaseAddress)
                    .ConfigurePrimaryHttpMessageHandler(() => backHandler);
                if (propagationFirst)
                {
                    client.EnableCallContextPropagation().AddResilience(Configure);
                }
                else
                {
                    client.AddResilience(Configure).EnableCallContextPropagation();
                }
            },
            app => app.MapGrpcService<FrontService>());
        frontChannel = GrpcChannel.ForAddress(
            frontApp.GetTestServer().BaseAddress, new GrpcChannelOptions { HttpHandler = frontApp.GetTestServer().CreateHandler() });
    }

    [TearDown]
    public async Task StopServices()
    {
        frontChannel.Dispose();
        await frontApp.DisposeAsync();
        await backApp.DisposeAsync();
    }

    [Test]
    public async Task IncomingDeadlineShorterThanTheAttemptTimeout_TheAttemptGetsWhatIsLeftAndIsCancelledWhenItPasses()
    {
        var incoming = DateTime.UtcNow.AddMilliseconds(500);

        var error = await Assert.ThrowsAsync<RpcException>(() => Front.ProcessAsync(new ProcessRequest { RequestId = "p1" }, deadline: incoming).ResponseAsync.WaitAsync(Bound));

        // The outer caller's own status is not this test's business: when the incoming deadline passes, the front server
        // cancels its handler at the same instant as the caller's deadline fires, and the in-memory transport races
        // the two (DEADLINE_EXCEEDED, CANCELLED, sometimes INTERNAL for the aborted response). What is tested is the
        // call below: it got what was left of the incoming deadline, was cancelled when it passed, and was not retried.
        Assert.That(error, Is.Not.Null);
        await Until(() => back.Cancelled == 1);
        Assert.That(back.Deadlines, Has.Count.EqualTo(1), "a passed deadline is not retried");
        var propagated = back.Deadlines.Single();
        Assert.That(propagated, Is.LessThanOrEqualTo(incoming.AddMilliseconds(100)), "the incoming deadline, not the 2 s attempt timeout");
        Assert.That(propagated, Is.GreaterThan(incoming.AddMilliseconds(-400)));
    }

    [Test]
    public async Task IncomingDeadlineLongerThanTheAttemptTimeout_EachAttemptGetsItsOwnTimeout()
    {
        var started = DateTime.UtcNow;
        using var call = Front.ProcessAsync(new ProcessRequest { RequestId = "p2" }, deadline: started.AddSeconds(30));

        await Until(() => back.Deadlines.Count == 1);
        var arrived = DateTime.UtcNow;
        var propagated = back.Deadlines.Single();

        // The attempt started after `started` and before `arrived`, and got 2 s from its start.
        Assert.That(propagated, Is.InRange(started.AddSeconds(2).AddMilliseconds(-50), arrived.AddSeconds(2).AddMilliseconds(100)), "the 2 s attempt timeout, not the incoming 30 s");
    }

    [Test]
    public async Task IncomingCallCancelledDuringABackoff_NoFurtherAttemptReachesTheBackService()
    {
        back.FailUnavailable = true;
        using var cancel = new CancellationTokenSource();
        var call = Front.ProcessAsync(new ProcessRequest { RequestId = "p3" }, cancellationToken: cancel.Token).ResponseAsync;
        await Until(() => back.Deadlines.Count == 1);

        // The retry now waits 1 s before its second attempt; the incoming call is cancelled during that wait.
        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Bound));
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(back.Deadlines, Has.Count.EqualTo(1), "without propagation the retries would go on: 3 attempts");
    }

    private static void Configure(ResilienceOptions options)
    {
        options.Deadline!.Timeout = TimeSpan.FromSeconds(2);
        options.Retry!.InitialBackoff = TimeSpan.FromSeconds(1);
        options.Retry.JitterFactor = 0;
        options.CircuitBreaker = null;
    }

    private static async Task<WebApplication> StartAsync(Action<IServiceCollection> services, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpc();
        services(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        return app;
    }

    private static async Task Until(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
