using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Integration;

/// <summary>
/// Retry and deadline of the default stack against the real chaos server, counted by the server. Retry delays run
/// on a fake clock; a deadline is enforced by the real channel on real time.
/// </summary>
public sealed class ResilienceStackIntegrationTests
{
    private static readonly TimeSpan Bound = ChaosServerHost.DefaultTimeout;
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
    public async Task Process_AlwaysUnavailable_ThreeAttemptsReachServerOneThenTwoSecondsApartThenUnavailable()
    {
        // The defaults, with JitterFactor forced to 0 so the delays are exact.
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });
        using var stack = new ResilienceStack(host, ResilienceStack.DefaultsWithoutJitter());

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "r1" });

        await stack.BackoffStarted(1);
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1), "the first attempt");
        stack.Time.Pass(TimeSpan.FromMilliseconds(999));
        Assert.That(stack.RetryClock.TimersCreated, Is.EqualTo(1));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1), "nothing before 1 s");
        stack.Time.Pass(TimeSpan.FromMilliseconds(1));
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 2);
        await stack.BackoffStarted(2);
        stack.Time.Pass(TimeSpan.FromMilliseconds(1999));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(2), "nothing before 1 s + 2 s");
        stack.Time.Pass(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable), error.Status.ToString());
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(3));
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Error), Is.EqualTo(3));
        Assert.That(stack.RetryClock.TimersCreated, Is.EqualTo(2), "no wait after the last attempt");
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
    }

    [Test]
    public async Task Process_ServerPushbackNegative_OneAttemptReachesServerAndRetryStops()
    {
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; o.ErrorPushback = "-1"; });
        using var stack = new ResilienceStack(host, ResilienceStack.DefaultsWithoutJitter());

        var error = await Assert.ThrowsAsync<RpcException>(() => stack.Client.ProcessAsync(new ProcessRequest { RequestId = "r1" }).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable), error.Status.ToString());
        Assert.That(error.Trailers.GetValue("grpc-retry-pushback-ms"), Is.EqualTo("-1"));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1), "the server asked for no retries");
        Assert.That(stack.RetryClock.TimersCreated, Is.Zero);
    }

    [Test]
    public async Task Process_ServerPushbackHundredMilliseconds_NextAttemptWaitsExactlyThatLong()
    {
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; o.ErrorPushback = "100"; });
        using var stack = new ResilienceStack(host, ResilienceStack.DefaultsWithoutJitter());

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "r1" });

        await stack.BackoffStarted(1);
        stack.Time.Pass(TimeSpan.FromMilliseconds(99));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1), "nothing before the 100 ms the server asked for (the 1 s backoff is replaced)");
        stack.Time.Pass(TimeSpan.FromMilliseconds(1));
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 2);
        await stack.BackoffStarted(2);
        stack.Time.Pass(TimeSpan.FromMilliseconds(100));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable), error.Status.ToString());
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(3));
    }

    [Test]
    public async Task Process_ServerHangsFiveSeconds_FailsWithDeadlineExceededAfterTwoSecondsAndServerCountsItAbandoned()
    {
        // The hang and the deadline both run on real time: the channel enforces deadlines with the system clock.
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 1; o.HangDuration = TimeSpan.FromSeconds(5); });
        using var stack = new ResilienceStack(host);
        var elapsed = Stopwatch.StartNew();

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "slow" });
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        elapsed.Stop();

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), error.Status.ToString());
        Assert.That(elapsed.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)), "not before the 2 s deadline");
        Assert.That(elapsed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(4.9)), "not after the 5 s hang");
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Hang), Is.EqualTo(1), "DeadlineExceeded is not retried");
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1));
        Assert.That(stack.RetryClock.TimersCreated, Is.Zero);
    }

    [Test]
    public async Task Process_SeededHalfOfCallsFail_MostCallsSucceedThanksToRetries()
    {
        // Seed 3 draws 71 outcomes for these calls, about half of them errors: the breaker rightly stays closed, since
        // retries rescue most calls (5 failed calls or 15 failed attempts in a row would open it; the breaker tests show that).
        const int Calls = 40;
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 0.5; o.HangRate = 0; o.Seed = 3; });
        using var stack = new ResilienceStack(host);
        var succeeded = 0;

        for (var i = 0; i < Calls; i++)
        {
            try
            {
                // 3 s per backoff wait is longer than any delay of the defaults' 2 retries (at most 2 s × 1.2).
                await stack.Drive(stack.Client.ProcessAsync(new ProcessRequest { RequestId = $"r{i}" }).ResponseAsync, TimeSpan.FromSeconds(3));
                succeeded++;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
            }
        }

        var errors = host.Statistics.CallsWithOutcome(ChaosOutcome.Error);
        Assert.That(host.Statistics.CallsWithOutcome(ChaosOutcome.Ok), Is.EqualTo(succeeded), "one served attempt per success");
        Assert.That(host.Statistics.TotalCalls, Is.GreaterThan(Calls), "failed attempts were retried");
        Assert.That((double)errors / host.Statistics.TotalCalls, Is.InRange(0.3, 0.7), "about half of the attempts failed");
        Assert.That(succeeded, Is.GreaterThanOrEqualTo(Calls * 3 / 4), "with 3 attempts, about 7 in 8 calls succeed");
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task Process_CallerCancelsWhileServerHangs_FailsWithCancelledNotTaskCanceled()
    {
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 1; o.HangDuration = TimeSpan.FromMinutes(1); });
        using var stack = new ResilienceStack(host);
        using var cts = new CancellationTokenSource();

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "cancel-me" }, cancellationToken: cts.Token);
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 1);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled), error.Status.ToString());
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1), "a cancelled call is not retried");
        Assert.That(stack.Breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    public async Task Process_CallerCancelsDuringBackoff_FailsAtOnceWithCancelledAndSendsNothingMore()
    {
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; });
        using var stack = new ResilienceStack(host);
        using var cts = new CancellationTokenSource();

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "r1" }, cancellationToken: cts.Token);
        await stack.BackoffStarted(1);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled), error.Status.ToString());
        stack.Time.Pass(TimeSpan.FromMinutes(1));
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task Process_DisposedWhileServerHangs_FailsWithCancelled()
    {
        host.Controller.Update(o => { o.Enabled = true; o.ErrorRate = 0; o.HangRate = 1; o.HangDuration = TimeSpan.FromMinutes(1); });
        using var stack = new ResilienceStack(host);

        var call = stack.Client.ProcessAsync(new ProcessRequest { RequestId = "dispose-me" });
        await host.WaitForStatisticsAsync(s => s.TotalCalls == 1);
        call.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled), error.Status.ToString());
        await host.WaitForStatisticsAsync(s => s.AbandonedCalls == 1);
        Assert.That(host.Statistics.TotalCalls, Is.EqualTo(1));
    }
}
