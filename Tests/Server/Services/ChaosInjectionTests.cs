using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Server.Services;

public sealed class ChaosInjectionTests
{
    private static CallOptions Bounded => new(deadline: DateTime.UtcNow + ChaosServerHost.DefaultTimeout);

    [Test]
    public async Task Process_ErrorRateOne_FailsWithConfiguredCodeAndCountsError()
    {
        await using var host = await ChaosServerHost.StartAsync(o =>
        {
            o.Enabled = true;
            o.ErrorRate = 1;
            o.HangRate = 0;
            o.ErrorCodes = [StatusCode.Internal];
        });

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProcessAsync(Request("e1"), Bounded));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Internal));
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Error), Is.EqualTo(1));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1));
    }

    [TestCase("-1")]
    [TestCase("50")]
    [TestCase("soon")]
    public async Task Process_ErrorWithPushback_CallerSeesPushbackTrailer(string pushback)
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; o.ErrorPushback = pushback; });

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProcessAsync(Request("pb"), Bounded));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(ex.Trailers.GetValue("grpc-retry-pushback-ms"), Is.EqualTo(pushback));
        Assert.That(ex.Trailers.GetAll("grpc-retry-pushback-ms"), Has.Exactly(1).Items);
    }

    [Test]
    public async Task Process_PerRequestDecisions_TwoServersGiveEachRequestTheSameFatesAttemptByAttempt()
    {
        static async Task<List<StatusCode>> FatesAsync(ChaosServerHost host, IEnumerable<string> order)
        {
            var fates = new List<StatusCode>();
            foreach (var id in order)
            {
                try
                {
                    _ = await host.Client.ProcessAsync(Request(id), Bounded);
                    fates.Add(StatusCode.OK);
                }
                catch (RpcException e)
                {
                    fates.Add(e.StatusCode);
                }
            }

            return fates;
        }

        static void Configure(ChaosOptions o)
        {
            o.Enabled = true;
            o.ErrorRate = 0.5;
            o.HangRate = 0;
            o.Seed = 5;
            o.PerRequestDecisions = true;
        }

        var ids = Enumerable.Range(0, 40).Select(i => "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        await using var first = await ChaosServerHost.StartAsync(Configure);
        await using var second = await ChaosServerHost.StartAsync(Configure);

        // The first server sees each request twice in a row; the second sees every first call, then every second one.
        var a = await FatesAsync(first, ids.SelectMany(id => new[] { id, id }));
        var b = await FatesAsync(second, [.. ids, .. ids]);

        var firstCalls = ids.Select((_, i) => a[2 * i]).ToArray();
        var secondCalls = ids.Select((_, i) => a[(2 * i) + 1]).ToArray();
        Assert.That(b.Take(ids.Length), Is.EqualTo(firstCalls), "each request's first call meets the same fate on both servers");
        Assert.That(b.Skip(ids.Length), Is.EqualTo(secondCalls), "and so does its second");
        Assert.That(a, Does.Contain(StatusCode.OK).And.Contain(StatusCode.Unavailable));
    }

    [Test]
    public async Task Process_ErrorWithoutPushback_SendsNoPushbackTrailer()
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProcessAsync(Request("no-pb"), Bounded));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(ex.Trailers.Get("grpc-retry-pushback-ms"), Is.Null);
    }

    [Test]
    public async Task Process_OutageWithPushback_CallerSeesPushbackTrailer()
    {
        await using var host = await ChaosServerHost.StartAsync(o =>
        {
            o.Enabled = true;
            o.ErrorRate = 0;
            o.HangRate = 0;
            o.OutageEvery = TimeSpan.FromHours(1);
            o.OutageFor = TimeSpan.FromMinutes(59);
            o.ErrorPushback = "-1";
        });

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProcessAsync(Request("down"), Bounded));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(ex.Trailers.GetValue("grpc-retry-pushback-ms"), Is.EqualTo("-1"));
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Outage), Is.EqualTo(1));
    }

    [Test]
    public async Task Process_PushbackSetButCallServed_SendsNoPushbackTrailer()
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 0; o.ErrorPushback = "-1"; });

        using var call = host.Client.ProcessAsync(Request("fine"), Bounded);
        var reply = await call.ResponseAsync;

        Assert.That(reply.RequestId, Is.EqualTo("fine"));
        Assert.That(call.GetTrailers().Get("grpc-retry-pushback-ms"), Is.Null);
    }

    [Test]
    public async Task Subscribe_ErrorWithPushback_StreamCallerSeesPushbackTrailer()
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; o.ErrorPushback = "100"; });
        using var call = host.Client.Subscribe(new SubscribeRequest { Count = 5 }, Bounded);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(ex.Trailers.GetValue("grpc-retry-pushback-ms"), Is.EqualTo("100"));
        Assert.That(call.GetTrailers().GetValue("grpc-retry-pushback-ms"), Is.EqualTo("100"));
    }

    [Test]
    public async Task Subscribe_ChaosError_DecidedAtCallStart()
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });
        using var call = host.Client.Subscribe(new SubscribeRequest { Count = 5 }, Bounded);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.ReadAllAsync().ToListAsync());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(host.Statistics.CallsTo("Subscribe"), Is.EqualTo(1));
    }

    [Test]
    public async Task Process_HangLongerThanDeadline_CallerGetsDeadlineExceededAndServerCountsAbandoned()
    {
        // The hang runs on a fake clock that never advances: only the caller's real deadline can end it.
        await using var host = await ChaosServerHost.StartAsync(
            o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 1; o.HangDuration = TimeSpan.FromSeconds(5); },
            new FakeTimeProvider());

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client
            .ProcessAsync(Request("slow"), deadline: DateTime.UtcNow.AddMilliseconds(200))
            .ResponseAsync.WaitAsync(ChaosServerHost.DefaultTimeout));

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), ex.Status.ToString());
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Hang), Is.EqualTo(1));
    }

    [Test]
    public async Task Process_HangCancelledByCaller_ServerCountsAbandoned()
    {
        await using var host = await ChaosServerHost.StartAsync(
            o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 1; },
            new FakeTimeProvider());
        using var cts = new CancellationTokenSource();

        var call = host.Client.ProcessAsync(Request("cancel-me"), cancellationToken: cts.Token);
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 1);
        await cts.CancelAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseAsync.WaitAsync(ChaosServerHost.DefaultTimeout));
        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
    }

    [Test]
    public async Task Process_HangShorterThanDeadline_AnswersAfterHang()
    {
        var time = new FakeTimeProvider();
        await using var host = await ChaosServerHost.StartAsync(
            o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 1; o.HangDuration = TimeSpan.FromSeconds(5); },
            time);

        var call = host.Client.ProcessAsync(Request("patient"), Bounded);
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 1);
        Assert.That(call.ResponseAsync.IsCompleted, Is.False, "the hang ends only when the server's clock moves");

        // The server may not have started its delay yet when the clock first moves, so keep moving it.
        using var timeout = new CancellationTokenSource(ChaosServerHost.DefaultTimeout);
        while (!call.ResponseAsync.IsCompleted)
        {
            timeout.Token.ThrowIfCancellationRequested();
            time.Pass(TimeSpan.FromSeconds(5));
            await Task.WhenAny(call.ResponseAsync, Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None));
        }

        var reply = await call.ResponseAsync;

        Assert.That(reply.RequestId, Is.EqualTo("patient"));
        Assert.That(host.Statistics.AbandonedCalls, Is.Zero);
    }

    [Test]
    public async Task Controller_PhasesAppliedAtRuntime_ChangeBehaviourOfNextCalls()
    {
        await using var host = await ChaosServerHost.StartAsync();

        var healthy = await host.Client.ProcessAsync(Request("p1"), Bounded);
        host.Controller.Update(o => { o.Enabled = true; o.OutageEvery = TimeSpan.FromHours(1); o.OutageFor = TimeSpan.FromMinutes(59); });
        var outage = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProcessAsync(Request("p2"), Bounded));
        host.Controller.Update(o => o.Enabled = false);
        var recovered = await host.Client.ProcessAsync(Request("p3"), Bounded);

        Assert.That(healthy.RequestId, Is.EqualTo("p1"));
        Assert.That(outage!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(recovered.RequestId, Is.EqualTo("p3"));
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Outage), Is.EqualTo(1));
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Ok), Is.EqualTo(2));
    }

    [Test]
    public async Task Process_SeededFlakyServer_ObservedOutcomesMatchStatistics()
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 0.5; o.HangRate = 0; o.Seed = 4; });
        var failures = 0;

        for (var i = 0; i < 200; i++)
        {
            try
            {
                await host.Client.ProcessAsync(Request($"r{i}"), Bounded);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                failures++;
            }
        }

        Assert.That(failures, Is.EqualTo(host.Statistics.CallsWithOutcome(ChaosOutcome.Error)));
        Assert.That(failures, Is.InRange(50, 150));
        Assert.That(host.Statistics.CallsTo("Process"), Is.EqualTo(200));
    }

    [Test]
    public async Task Process_Calls_RecordedOnServerMeter()
    {
        await using var host = await ChaosServerHost.StartAsync(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });
        var meterFactory = host.Services.GetRequiredService<IMeterFactory>();
        using var calls = new MetricCollector<long>(meterFactory, "ResilientGrpc.Server", "unstable.server.calls");

        await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProcessAsync(Request("m1"), Bounded));

        var measurement = calls.GetMeasurementSnapshot().Single();
        Assert.That(measurement.Value, Is.EqualTo(1));
        Assert.That(measurement.Tags["grpc.method"], Is.EqualTo("unstable.v1.UnstableService/Process"));
        Assert.That(measurement.Tags["outcome"], Is.EqualTo("error"));
    }

    private static ProcessRequest Request(string id) => new() { RequestId = id, Payload = "p" };
}
