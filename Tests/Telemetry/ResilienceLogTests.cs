using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Telemetry;

/// <summary>The log events of every pattern, by EventName and readable text.</summary>
public sealed class ResilienceLogTests : TelemetryTestBase
{
    [Test]
    public async Task RetryLog_ThreeAttemptsThenUnavailable_AttemptFailedTwiceThenRetriesExhausted()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Retry(), Breaker(), Deadline());

        await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        var failed = Named("AttemptFailed");
        Assert.That(failed.Select(r => r.Message), Is.EqualTo(new[]
        {
            "Process attempt 1/3 failed: Unavailable; retrying in 1.00 s",
            "Process attempt 2/3 failed: Unavailable; retrying in 2.00 s",
        }));
        Assert.That(failed.Select(r => r.Level), Is.All.EqualTo(LogLevel.Warning));
        Assert.That(failed[0].Category, Is.EqualTo("ResilientGrpc.Retry"));
        var exhausted = Named("RetriesExhausted").Single();
        Assert.That(exhausted.Message, Is.EqualTo("Process gave up after 3 attempts: Unavailable"));
        Assert.That(exhausted.Level, Is.EqualTo(LogLevel.Error));
    }

    [Test]
    public async Task RetryLog_PushbackTrailer_PushbackReceivedWithMilliseconds()
    {
        var first = true;
        Network.Unary = (_, _) =>
        {
            if (!first)
            {
                return Task.FromResult<object?>(null);
            }

            first = false;
            return Task.FromException<object?>(new RpcException(
                new Status(StatusCode.Unavailable, "busy"), new Metadata { { "grpc-retry-pushback-ms", "500" } }));
        };
        var client = Client(Retry());

        var call = await RunBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 0.5);
        await call.WaitAsync(Bound);

        Assert.That(Named("PushbackReceived").Single().Message, Is.EqualTo("Process attempt 1: server pushback asks to wait 500 ms"));
        Assert.That(Named("AttemptFailed").Single().Message, Is.EqualTo("Process attempt 1/3 failed: Unavailable; retrying in 0.50 s"));
    }

    [Test]
    public async Task RetryLog_NegativePushback_PushbackStop()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", "-1" } });

        await Assert.ThrowsAsync<RpcException>(() => Client(Retry()).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(Named("PushbackStop").Single().Message, Is.EqualTo("Process attempt 1 failed: Unavailable; server pushback says not to retry"));
        Assert.That(Named("AttemptFailed"), Is.Empty);
    }

    [Test]
    public async Task RetryLog_BudgetSpent_RetryThrottled()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var options = new RetryOptions { JitterFactor = 0, Throttling = new RetryThrottlingOptions { MaxTokens = 2, TokenRatio = 0.1 } };

        await Assert.ThrowsAsync<RpcException>(() => Client(Retry(options)).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(Named("RetryThrottled").Single().Message, Is.EqualTo("Process attempt 1 failed: Unavailable; retry refused, the retry budget is spent"));
    }

    [Test]
    public async Task RetryLog_NextDelayPassesCallerDeadline_DeadlineWouldPass()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var deadline = Time.GetUtcNow().UtcDateTime.AddSeconds(1.5);

        await FailsAfterBackoffs(() => Client(Retry()).ProcessAsync(Request(), deadline: deadline).ResponseAsync, 1);

        Assert.That(Named("AttemptFailed"), Has.Count.EqualTo(1));
        Assert.That(
            Named("DeadlineWouldPass").Single().Message,
            Is.EqualTo("Process attempt 2 failed: Unavailable; the next attempt would start after the call's deadline"));
    }

    [Test]
    public async Task DeadlineLog_AttemptHangs_DeadlineExceededWithTimeout()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var call = Client(Deadline(new DeadlineOptions { Timeout = TimeSpan.FromSeconds(2) })).ProcessAsync(Request()).ResponseAsync;
        await Until(() => Network.Count == 1);

        Time.Pass(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Bound));

        var exceeded = Named("DeadlineExceeded").Single();
        Assert.That(exceeded.Message, Is.EqualTo("Process exceeded its deadline of 2 s"));
        Assert.That(exceeded.Category, Is.EqualTo("ResilientGrpc.Deadline"));
    }

    /// <summary>
    /// Below a retry interceptor the deadline layer does not wrap its attempts to log: the retry loop reports each
    /// attempt's end to it. Each hung attempt is still logged exactly once, on every way of stacking.
    /// </summary>
    [TestCase("RD")]
    [TestCase("RBD")]
    [TestCase("WithResilience")]
    public async Task DeadlineLog_BelowRetry_EachHungAttemptLoggedOnce(string stack)
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var retry = new RetryOptions { MaxAttempts = 2, JitterFactor = 0, RetryableStatusCodes = new HashSet<StatusCode> { StatusCode.DeadlineExceeded } };
        var deadline = new DeadlineOptions { Timeout = TimeSpan.FromSeconds(2) };
        var client = stack switch
        {
            "RD" => Client(Retry(retry), Deadline(deadline)),
            "RBD" => Client(Retry(retry), Breaker(), Deadline(deadline)),
            _ => new UnstableService.UnstableServiceClient(
                Network.WithResilience(new ResilienceOptions { Retry = retry, Deadline = deadline }, Clock, Loggers, Meters)),
        };

        var call = client.ProcessAsync(Request()).ResponseAsync;
        await Until(() => Network.Count == 1);
        Time.Pass(TimeSpan.FromSeconds(2));
        await Until(() => Named("DeadlineExceeded").Count == 1 && Clock.TimersCreated >= 1);
        Time.Pass(TimeSpan.FromSeconds(1));
        await Until(() => Network.Count == 2);
        Time.Pass(TimeSpan.FromSeconds(2));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Named("DeadlineExceeded").Select(r => r.Message), Is.EqualTo(Enumerable.Repeat("Process exceeded its deadline of 2 s", 2)));
    }

    [Test]
    public async Task DeadlineLog_CallerDeadlineEarlier_NotLoggedByDeadlineInterceptor()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var call = Client(Deadline()).ProcessAsync(Request(), deadline: Time.GetUtcNow().UtcDateTime.AddSeconds(1)).ResponseAsync;
        await Until(() => Network.Count == 1);

        Time.Pass(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(Bound));

        Assert.That(Named("DeadlineExceeded"), Is.Empty, "the caller's own deadline is the caller's business");
    }

    [Test]
    public async Task BreakerLog_OpenRejectHalfOpenClose_ReadableLinesAndOneRejectionLogged()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Breaker());

        await FailTimes(client, 5);
        await FailTimes(client, 4);
        Time.Pass(TimeSpan.FromSeconds(30));
        Network.Unary = (_, _) => Task.FromResult<object?>(null);
        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(Named("CircuitOpened").Single().Message, Is.EqualTo("Circuit 'unstable' opened after 5 failed calls in a row; rejecting calls for 30 s"));
        var rejected = Named("CallRejected").Single();
        Assert.That(rejected.Message, Does.StartWith("Circuit 'unstable' is Open: calls fail at once"));
        Assert.That(Named("CircuitHalfOpened").Single().Message, Is.EqualTo("Circuit 'unstable' half-open: letting 1 probe call(s) through"));
        Assert.That(Named("CircuitClosed").Single().Message, Is.EqualTo("Circuit 'unstable' closed; 4 call(s) were rejected while it was open"));
        Assert.That(Logs.GetSnapshot().Select(r => r.Id.Name), Is.EqualTo(new[]
        {
            "CircuitOpened", "CallRejected", "CircuitHalfOpened", "CircuitClosed",
        }));
    }

    [Test]
    public async Task BreakerLog_ProbeFails_CircuitReopenedAndNextOpenPeriodLogsItsFirstRejection()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Breaker(new CircuitBreakerOptions { Name = "unstable", FailureThreshold = 1 }));

        await FailTimes(client, 3);
        Time.Pass(TimeSpan.FromSeconds(30));
        await FailTimes(client, 3);

        Assert.That(Named("CircuitReopened").Single().Message, Is.EqualTo("Circuit 'unstable' probe failed; open again for 30 s"));
        Assert.That(Named("CallRejected"), Has.Count.EqualTo(2), "the first rejection of each open period");
    }

    [Test]
    public async Task BreakerLog_SecondOpenPeriod_ClosedLineCountsOnlyItsOwnRejections()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Breaker(new CircuitBreakerOptions { Name = "unstable", FailureThreshold = 1 }));

        for (var period = 1; period <= 2; period++)
        {
            Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
            await FailTimes(client, 1 + (period * 2));
            Time.Pass(TimeSpan.FromSeconds(30));
            Network.Unary = (_, _) => Task.FromResult<object?>(null);
            await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);
        }

        Assert.That(
            Named("CircuitClosed").Select(r => r.Message),
            Is.EqualTo(new[]
            {
                "Circuit 'unstable' closed; 2 call(s) were rejected while it was open",
                "Circuit 'unstable' closed; 4 call(s) were rejected while it was open",
            }));
    }

    [Test]
    public void BreakerLog_IsolateThenReset_CircuitIsolatedAndCircuitReset()
    {
        var breaker = Breaker();

        breaker.Isolate();
        breaker.Reset();

        Assert.That(Named("CircuitIsolated").Single().Message, Is.EqualTo("Circuit 'unstable' isolated by hand: rejecting every call until it is reset"));
        Assert.That(Named("CircuitReset").Single().Message, Is.EqualTo("Circuit 'unstable' reset by hand: closed"));
    }

    [Test]
    public async Task Logs_FullStackThroughOutage_NoPayloadOrRequestData()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Retry(), Breaker(), Deadline());

        for (var call = 0; call < 5; call++)
        {
            await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);
        }

        await FailTimes(client, 2);

        Assert.That(
            Named("CircuitOpenedOnAttempts").Single().Message,
            Is.EqualTo("Circuit 'unstable' opened after 15 failed attempts in a row; rejecting calls for 30 s"),
            "the 5th call's last attempt is the 15th failed attempt in a row");
        Assert.That(Logs.GetSnapshot(), Is.Not.Empty);
        foreach (var record in Logs.GetSnapshot())
        {
            Assert.That(record.Message, Does.Not.Contain("secret-payload").And.Not.Contain("r1"));
            Assert.That(string.Join("|", record.StructuredState?.Select(p => p.Value) ?? []), Does.Not.Contain("secret-payload"));
            Assert.That(record.Id.Name, Is.Not.Null.And.Not.Empty, "every event is named");
        }
    }

    private List<FakeLogRecord> Named(string eventName) =>
        [.. Logs.GetSnapshot().Where(r => r.Id.Name == eventName)];

    private static async Task FailTimes(UnstableService.UnstableServiceClient client, int times)
    {
        for (var i = 0; i < times; i++)
        {
            await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        }
    }
}
