using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Server.Services;

/// <summary>
/// The chaos server in capacity mode, end to end. Its handlers run on a fake clock that moves only when a test moves
/// it, so a call given a handler is answered only then; which of two concurrent calls gets the one handler is the
/// server's business, so the tests assert on the pair.
/// </summary>
public sealed class CapacityModeTests
{
    private static readonly TimeSpan Service = TimeSpan.FromSeconds(5);

    private static CallOptions Bounded => new(deadline: DateTime.UtcNow + ChaosServerHost.DefaultTimeout);

    [Test]
    public async Task Process_ShedAndTheOneHandlerBusy_RefusesTheOtherCallAtOnceWithUnavailable()
    {
        var time = new FakeTimeProvider();
        await using var host = await ChaosServerHost.StartAsync(o => Capacity(o, CapacityOverflow.Shed, pushback: "100"), time);
        using var shed = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "ResilientGrpc.Server", "unstable.server.calls.shed");

        using var first = host.Client.ProcessAsync(Request("a"), Bounded);
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 1);
        using var second = host.Client.ProcessAsync(Request("b"), Bounded);
        var refused = await Task.WhenAny(first.ResponseAsync, second.ResponseAsync).WaitAsync(ChaosServerHost.DefaultTimeout);
        var served = refused == first.ResponseAsync ? second.ResponseAsync : first.ResponseAsync;

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await refused);
        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(ex.Status.Detail, Does.Contain("capacity"));
        Assert.That(ex.Trailers.GetValue("grpc-retry-pushback-ms"), Is.EqualTo("100"));
        Assert.That(served.IsCompleted, Is.False, "the other call holds the handler until the clock moves");
        Assert.That(host.Statistics.ShedCalls, Is.EqualTo(1));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(2), "a shed call arrived: it counts among the calls received");
        Assert.That(shed.GetMeasurementSnapshot().Single().Tags["grpc.method"], Is.EqualTo("unstable.v1.UnstableService/Process"));

        await AdvanceUntilAsync(time, () => served.IsCompleted);
        Assert.That((await served).RequestId, Is.AnyOf("a", "b"));
    }

    [Test]
    public async Task Process_TimerEndsTheServiceEarly_TheNextCallAfterTheAnswerIsServed()
    {
        // .NET's timers fire up to a few milliseconds early when many are due: the handler is free once it has answered.
        var time = new FakeTimeProvider();
        await using var host = await ChaosServerHost.StartAsync(o => Capacity(o, CapacityOverflow.Shed), new EarlyTimers(time, TimeSpan.FromSeconds(1)));

        using var first = host.Client.ProcessAsync(Request("first"), Bounded);
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 1);
        time.Advance(Service - TimeSpan.FromSeconds(1));
        await first.ResponseAsync.WaitAsync(ChaosServerHost.DefaultTimeout);
        using var next = host.Client.ProcessAsync(Request("next"), Bounded);
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 2);

        Assert.That(host.Statistics.ShedCalls, Is.Zero, "the handler answered the first call, so it is free for the next");
        await AdvanceUntilAsync(time, () => next.ResponseAsync.IsCompleted);
        Assert.That((await next.ResponseAsync).RequestId, Is.EqualTo("next"));
    }

    [Test]
    public async Task Process_QueueAndCallerLeaves_CallerGetsCancelledButTheServerStillServesIt()
    {
        var time = new FakeTimeProvider();
        await using var host = await ChaosServerHost.StartAsync(o => Capacity(o, CapacityOverflow.Queue), time);
        using var leaving = new CancellationTokenSource();

        using var staying = host.Client.ProcessAsync(Request("stays"), Bounded);
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 1);
        using var left = host.Client.ProcessAsync(Request("leaves"), cancellationToken: leaving.Token);
        await host.WaitForStatisticsAsync(s => s.QueuedCalls == 1);
        await leaving.CancelAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await left.ResponseAsync.WaitAsync(ChaosServerHost.DefaultTimeout));
        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.ServedAfterCallerLeft, Is.Zero, "the caller's cancellation does not end the handler's work");
        Assert.That(host.Statistics.ShedCalls, Is.Zero);

        await AdvanceUntilAsync(time, () => staying.ResponseAsync.IsCompleted && host.Statistics.ServedAfterCallerLeft == 1);
        Assert.That((await staying.ResponseAsync).RequestId, Is.EqualTo("stays"));
    }

    [Test]
    public async Task Process_InjectedErrorsInCapacityMode_FailAtOnceWithoutAHandler()
    {
        await using var host = await ChaosServerHost.StartAsync(
            o =>
            {
                Capacity(o, CapacityOverflow.Shed);
                o.ErrorRate = 1;
                o.ErrorCodes = [StatusCode.Internal];
            },
            new FakeTimeProvider());

        for (var i = 0; i < 3; i++)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Client.ProcessAsync(Request("e"), Bounded));
            Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Internal));
        }

        Assert.That(host.Statistics.ShedCalls, Is.Zero);
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Error), Is.EqualTo(3));
    }

    private static void Capacity(ChaosOptions options, CapacityOverflow overflow, string? pushback = null)
    {
        options.Enabled = true;
        options.ErrorRate = 0;
        options.HangRate = 0;
        options.CapacityHandlers = 1;
        options.ServiceTime = Service;
        options.Overflow = overflow;
        options.ErrorPushback = pushback;
    }

    /// <summary>Moves the server's clock a second at a time until <paramref name="done"/> holds, for at most the test timeout.</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> done)
    {
        using var timeout = new CancellationTokenSource(ChaosServerHost.DefaultTimeout);
        while (!done())
        {
            timeout.Token.ThrowIfCancellationRequested();
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(TimeSpan.FromMilliseconds(20), CancellationToken.None);
        }
    }

    private static ProcessRequest Request(string id) => new() { RequestId = id, Payload = "p" };

    /// <summary><paramref name="clock"/>'s time, with every timer firing <paramref name="early"/> before it is due.</summary>
    private sealed class EarlyTimers(FakeTimeProvider clock, TimeSpan early) : TimeProvider
    {
        public override long TimestampFrequency => clock.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override long GetTimestamp() => clock.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            clock.CreateTimer(callback, state, dueTime > early ? dueTime - early : dueTime, period);
    }
}
