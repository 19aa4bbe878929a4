using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>
/// The breaker below the default retry, under load on fake time: random partial failure never opens it, an outage
/// opens it after the documented number of attempts, and only failures the server caused count.
/// </summary>
public sealed class CircuitBreakerPartialFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CallInterval = TimeSpan.FromMilliseconds(14);
    private FakeTimeProvider time = null!;
    private ScriptedCallInvoker network = null!;
    private List<CircuitStateChangedEventArgs> transitions = null!;

    [SetUp]
    public void CreateNetwork()
    {
        time = new FakeTimeProvider();
        network = new ScriptedCallInvoker(time);
        transitions = [];
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task Load_ThirtyPercentOfAttemptsFailAtHundredAttemptsPerSecond_NeverOpens(int seed)
    {
        var random = new Random(seed);
        network.Unary = (_, _) => random.NextDouble() < 0.3 ? Fail(StatusCode.Unavailable) : Ok();
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions(), new Random(seed + 100));

        var calls = await RunLoadAsync(client, attempts: 10_000);

        Assert.That(network.Count, Is.GreaterThanOrEqualTo(10_000));
        Assert.That(network.Count / (time.GetUtcNow() - Epoch).TotalSeconds, Is.InRange(90, 110), "about 100 attempts per second");
        Assert.That(transitions, Is.Empty, "random failures never line up into a run that opens the circuit");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
        Assert.That(calls.Count(c => c == StatusCode.OK) / (double)calls.Count, Is.GreaterThan(0.95), "retries rescue the calls");
    }

    [Test]
    public async Task Load_ThirtyPercentOfAttemptsFail_CountingEveryFailedAttemptAsTheOldRuleDidOpensOften()
    {
        // The same load against five failed attempts in a row and no silence asked for (the rule before calls were told
        // from attempts, and overload from death).
        var random = new Random(1);
        network.Unary = (_, _) => random.NextDouble() < 0.3 ? Fail(StatusCode.Unavailable) : Ok();
        var (client, _) = DefaultStack(new CircuitBreakerOptions { AttemptFailureThreshold = 5, MinimumSilence = TimeSpan.Zero }, new Random(101));

        await RunLoadAsync(client, attempts: 10_000);

        Assert.That(
            transitions.Count(t => t.Reason == CircuitStateChangeReason.ConsecutiveFailedAttempts),
            Is.GreaterThan(5),
            "0.3^5 per attempt: a random run of 5 every few seconds at this rate");
    }

    [Test]
    public async Task Load_FullOutageAtHundredAttemptsPerSecond_OpensOnceSilentForTheMinimumAndSendsNothingMore()
    {
        network.Unary = (_, _) => Fail(StatusCode.Unavailable);
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions(), new Random(7));

        var calls = await RunLoadAsync(client, duration: TimeSpan.FromSeconds(10));

        // 15 failed attempts come within 0.15 s; the circuit opens on the first failed attempt 250 ms after the first.
        var opened = transitions.First();
        Assert.That(opened.Reason, Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailedAttempts));
        Assert.That(opened.FailureCount, Is.InRange(16, 32), "about 100 attempts per second for 250 ms");
        Assert.That(network.Count, Is.EqualTo(opened.FailureCount), "no attempt reached the dead server after the circuit opened");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(calls.Count(c => c != StatusCode.OK), Is.EqualTo(calls.Count));
    }

    [Test]
    public async Task Load_FullOutageWithoutMinimumSilence_OpensOnTheFifteenthFailedAttemptAndSendsNothingMore()
    {
        network.Unary = (_, _) => Fail(StatusCode.Unavailable);
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions { MinimumSilence = TimeSpan.Zero }, new Random(7));

        var calls = await RunLoadAsync(client, duration: TimeSpan.FromSeconds(10));

        var opened = transitions.First();
        Assert.That(opened.Reason, Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailedAttempts));
        Assert.That(opened.FailureCount, Is.EqualTo(15), "FailureThreshold 5 × MaxAttempts 3");
        Assert.That(network.Count, Is.EqualTo(15), "no attempt reached the dead server after the circuit opened");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(calls.Count(c => c != StatusCode.OK), Is.EqualTo(calls.Count));
    }

    [Test]
    public async Task Sequential_OneCallPerSecondWithoutRetries_FifthFailureOpens()
    {
        network.Unary = (_, _) => Fail(StatusCode.Unavailable);
        var breaker = Breaker(new CircuitBreakerOptions());
        var client = new UnstableService.UnstableServiceClient(network.Intercept(breaker));

        for (var call = 1; call <= 5; call++)
        {
            Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), $"before call {call}");
            Assert.That(await StatusOf(client.ProcessAsync(Request()).ResponseAsync), Is.EqualTo(StatusCode.Unavailable));
            time.Pass(TimeSpan.FromSeconds(1));
        }

        Assert.That(transitions.Single().Reason, Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailures));
        Assert.That(transitions.Single().FailureCount, Is.EqualTo(5));
        await BreakerHarness.RejectedAsync(client.ProcessAsync(Request()).ResponseAsync);
        Assert.That(network.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task Sequential_HungServerBehindDefaultRetry_FifthFailedCallOpens()
    {
        // DEADLINE_EXCEEDED is not retried: each call is one attempt, so the attempt rule (15) is far away, and the
        // call rule opens on the 5th failed call, as a caller making one call at a time expects.
        network.Unary = ScriptedCallInvoker.Hang();
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions(), new Random(3));

        for (var call = 1; call <= 5; call++)
        {
            var pending = client.ProcessAsync(Request()).ResponseAsync;
            time.Pass(TimeSpan.FromSeconds(2));
            Assert.That(await StatusOf(pending), Is.EqualTo(StatusCode.DeadlineExceeded));
        }

        Assert.That(transitions.Single().Reason, Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailures));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(network.Count, Is.EqualTo(5));
    }

    [Test]
    public async Task Concurrent_FailedCallsThatOverlap_DoNotLineUpIntoARun()
    {
        // Eight callers whose calls hang together: each wave is one failed call "in a row", not eight.
        network.Unary = ScriptedCallInvoker.Hang();
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions { AttemptFailureThreshold = 100 }, new Random(3));

        for (var wave = 1; wave <= 4; wave++)
        {
            var pending = Enumerable.Range(0, 8).Select(_ => client.ProcessAsync(Request()).ResponseAsync).ToArray();
            time.Pass(TimeSpan.FromSeconds(2));
            foreach (var call in pending)
            {
                Assert.That(await StatusOf(call), Is.EqualTo(StatusCode.DeadlineExceeded));
            }
        }

        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "32 failed calls, but only 4 in a row");
        var last = client.ProcessAsync(Request()).ResponseAsync;
        time.Pass(TimeSpan.FromSeconds(2));
        Assert.That(await StatusOf(last), Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(transitions.Single().Reason, Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailures), "the 5th wave opens it");
    }

    [Test]
    public async Task Sequential_CallRescuedByItsRetry_CountsAsSuccessAndEndsTheRun()
    {
        var failures = 0;
        network.Unary = (_, _) => Interlocked.Decrement(ref failures) >= 0 ? Fail(StatusCode.Unavailable) : Ok();
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions(), new Random(5));

        // 4 failed calls (12 attempts), one call that fails twice and then succeeds, then 4 failed calls again.
        foreach (var failuresThisCall in new[] { 3, 3, 3, 3, 2, 3, 3, 3, 3 })
        {
            failures = failuresThisCall;
            var pending = client.ProcessAsync(Request()).ResponseAsync;
            await DriveBackoffsAsync(pending);
            var expected = failuresThisCall == 2 ? StatusCode.OK : StatusCode.Unavailable;
            Assert.That(await StatusOf(pending), Is.EqualTo(expected));
        }

        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "the rescued call started both counts again");
        Assert.That(network.Count, Is.EqualTo(27));
        Assert.That(transitions, Is.Empty);
    }

    [Test]
    public async Task ServerStreaming_CommittedStreamsThatFailLater_EachIsAFailedCall()
    {
        // A stream that delivered a message is committed: its later failure is final, so it counts as a failed call.
        network.Stream = FirstMessageThenFail;
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions(), new Random(5));

        for (var call = 1; call <= 5; call++)
        {
            using var stream = client.Subscribe(new SubscribeRequest { Count = 2 });
            Assert.That(await stream.ResponseStream.MoveNext().WaitAsync(Bound), Is.True);
            var error = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext().WaitAsync(Bound));
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        }

        Assert.That(network.Count, Is.EqualTo(5), "committed streams are never retried");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(transitions.Single().Reason, Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailures));
    }

    [Test]
    public async Task CallerGaveUp_ExpiredDeadlineOrCancelledBeforeTheAttempt_NeverMovesTheBreaker()
    {
        network.Unary = (_, _) => Fail(StatusCode.Unavailable);
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions(), new Random(5));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        for (var i = 0; i < 20; i++)
        {
            var expired = client.ProcessAsync(Request(), deadline: time.GetUtcNow().UtcDateTime.AddMilliseconds(-1)).ResponseAsync;
            Assert.That(await StatusOf(expired), Is.EqualTo(StatusCode.DeadlineExceeded));
            Assert.That(await StatusOf(client.ProcessAsync(Request(), cancellationToken: cancelled.Token).ResponseAsync), Is.EqualTo(StatusCode.Cancelled));
        }

        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
        await FailedCallsAsync(client, 4);
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "40 calls the caller gave up on counted nothing: 4 failures are still 4");
        await FailedCallsAsync(client, 1);
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
    }

    [Test]
    public async Task CallerCancelsWhileTheServerWorks_NotCounted_ButADeadlinePassingWhileTheServerWorksIs()
    {
        network.Unary = ScriptedCallInvoker.Hang();
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions { FailureThreshold = 1 }, new Random(5));

        using var cancel = new CancellationTokenSource();
        var cancelledCall = client.ProcessAsync(Request(), cancellationToken: cancel.Token).ResponseAsync;
        await cancel.CancelAsync();
        Assert.That(await StatusOf(cancelledCall), Is.EqualTo(StatusCode.Cancelled));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed), "a caller's cancellation says nothing about the server");

        var timedOut = client.ProcessAsync(Request(), deadline: time.GetUtcNow().UtcDateTime.AddSeconds(1)).ResponseAsync;
        time.Pass(TimeSpan.FromSeconds(1));
        Assert.That(await StatusOf(timedOut), Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open), "the server did not answer within the caller's deadline");
    }

    [Test]
    public async Task RatioMode_CountsCallsNotAttempts_RescuedCallsAreSuccessesAndFailedCallsOpenIt()
    {
        var failures = 0;
        network.Unary = (_, _) => Interlocked.Decrement(ref failures) >= 0 ? Fail(StatusCode.Unavailable) : Ok();
        var options = new CircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 10, SamplingDuration = TimeSpan.FromMinutes(10) };
        var (client, breaker) = DefaultStack(options, new Random(5));

        // Two of every three attempts fail, but every call is rescued on its 3rd attempt: 0 % of calls failed.
        for (var call = 0; call < 12; call++)
        {
            failures = 2;
            var pending = client.ProcessAsync(Request()).ResponseAsync;
            await DriveBackoffsAsync(pending);
            Assert.That(await StatusOf(pending), Is.EqualTo(StatusCode.OK));
        }

        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
        failures = int.MaxValue;
        await FailedCallsAsync(client, 12);
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open), "12 failed calls of 24: the 50 % ratio is reached");
        Assert.That(transitions.Single().Reason, Is.EqualTo(CircuitStateChangeReason.FailureRatio));
        Assert.That(transitions.Single().FailureCount, Is.EqualTo(12));
    }

    [Test]
    public async Task Retry_FirstAttemptUnavailableThenInvalidArgument_TheCallIsTheCallersFaultAndNeverCounts()
    {
        // The call fails for good with a status the breaker does not count: the failure its first attempt left pending
        // must not be counted when the retry reports the call failed.
        network.Unary = (arrival, _) => Fail(arrival.Number % 2 == 1 ? StatusCode.Unavailable : StatusCode.InvalidArgument);
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions { FailureThreshold = 1 }, new Random(3));

        for (var i = 0; i < 3; i++)
        {
            var call = client.ProcessAsync(Request()).ResponseAsync;
            await DriveBackoffsAsync(call);
            Assert.That(await StatusOf(call), Is.EqualTo(StatusCode.InvalidArgument));
        }

        Assert.That(network.Count, Is.EqualTo(6), "each call: one UNAVAILABLE attempt, then INVALID_ARGUMENT, not retried");
        Assert.That(transitions, Is.Empty, "a call that ends in the caller's own error counts against the server in no way");
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Closed));
    }

    [Test]
    [Repeat(20)]
    public async Task HalfOpen_TwoHundredCallersRaceThroughTheDefaultRetry_ExactlyOneAttemptAndItsFailureIsNotRetried()
    {
        network.Unary = (_, _) => Fail(StatusCode.Unavailable);
        var (client, breaker) = DefaultStack(new CircuitBreakerOptions { FailureThreshold = 1 }, new Random(5));
        await FailedCallsAsync(client, 1);
        Assert.That(breaker.State, Is.EqualTo(CircuitState.Open));
        time.Pass(TimeSpan.FromSeconds(30));

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        network.Unary = async (_, token) =>
        {
            await release.Task.WaitAsync(token);
            throw new RpcException(new Status(StatusCode.Unavailable, "still down"));
        };
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return client.ProcessAsync(Request()).ResponseAsync;
        })).ToArray();
        start.SetResult();
        var calls = await Task.WhenAll(racing).WaitAsync(Bound);

        Assert.That(network.Count, Is.EqualTo(4), "exactly one probe attempt reached the network");
        Assert.That(calls.Count(c => c.IsCompleted), Is.EqualTo(199), "the other callers were refused at once");
        release.SetResult();
        var probe = calls.Single(c => !c.IsCompleted);
        await UntilAsync(() => breaker.State == CircuitState.Open);
        await DriveBackoffsAsync(probe);
        Assert.That(await StatusOf(probe), Is.EqualTo(StatusCode.Unavailable));
        Assert.That(probe.Exception?.InnerException, Is.InstanceOf<BrokenCircuitException>(), "its retry met the reopened circuit");
        Assert.That(network.Count, Is.EqualTo(4), "the failed probe was not retried over the network");
        Assert.That(
            transitions.Select(t => t.Reason),
            Is.EqualTo(new[] { CircuitStateChangeReason.ConsecutiveFailedAttempts, CircuitStateChangeReason.BreakElapsed, CircuitStateChangeReason.ProbeFailed }));
    }

    private static readonly DateTimeOffset Epoch = new FakeTimeProvider().GetUtcNow();

    private static ProcessRequest Request() => new() { RequestId = "r", Payload = "p" };

    private static Task<object?> Ok() => Task.FromResult<object?>(null);

    private static Task<object?> Fail(StatusCode code) =>
        Task.FromException<object?>(new RpcException(new Status(code, $"scripted {code}")));

    private static async IAsyncEnumerable<object> FirstMessageThenFail(Arrival arrival, [EnumeratorCancellation] CancellationToken token)
    {
        await Task.Delay(0, token);
        yield return new Event { Sequence = 1 };
        throw new RpcException(new Status(StatusCode.Unavailable, "stream broke"));
    }

    private static async Task<StatusCode> StatusOf(Task call)
    {
        try
        {
            await call.WaitAsync(Bound);
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }

    private CircuitBreakerInterceptor Breaker(CircuitBreakerOptions options)
    {
        var breaker = new CircuitBreakerInterceptor(options, time);
        breaker.StateChanged += (_, e) =>
        {
            lock (transitions)
            {
                transitions.Add(e);
            }
        };
        return breaker;
    }

    /// <summary>Retry (default options, seeded jitter) → breaker → deadline (2 s), as WithResilience stacks them.</summary>
    private (UnstableService.UnstableServiceClient Client, CircuitBreakerInterceptor Breaker) DefaultStack(CircuitBreakerOptions options, Random jitter)
    {
        var breaker = Breaker(options);
        var invoker = network.Intercept(
            new RetryInterceptor(new RetryOptions(), InterceptorServices.From(time, null, null), jitter.NextDouble),
            breaker,
            new DeadlineInterceptor(new DeadlineOptions(), time));
        return (new UnstableService.UnstableServiceClient(invoker), breaker);
    }

    /// <summary>
    /// Starts a call every <see cref="CallInterval"/> of fake time (about 71 calls/s, 100 attempts/s at 30 % failure)
    /// until <paramref name="attempts"/> reached the network or <paramref name="duration"/> passed, then lets every
    /// call settle. Returns each call's status.
    /// </summary>
    private async Task<List<StatusCode>> RunLoadAsync(
        UnstableService.UnstableServiceClient client, int attempts = int.MaxValue, TimeSpan? duration = null)
    {
        var end = time.GetUtcNow() + (duration ?? TimeSpan.FromHours(1));
        var calls = new List<Task<StatusCode>>();
        while (network.Count < attempts && time.GetUtcNow() < end)
        {
            calls.Add(StatusOf(client.ProcessAsync(Request()).ResponseAsync));
            time.Pass(CallInterval);
        }

        // Every call settles within its backoffs (1.2 s + 2.4 s at most).
        for (var i = 0; i < 40 && !calls.TrueForAll(c => c.IsCompleted); i++)
        {
            time.Pass(TimeSpan.FromMilliseconds(100));
            await Task.Yield();
        }

        return [.. await Task.WhenAll(calls).WaitAsync(Bound)];
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && started.Elapsed < Bound)
        {
            await Task.Delay(1);
        }

        Assert.That(condition(), Is.True, "the expected state was never reached");
    }

    /// <summary>Advances fake time through the backoffs of one retried call until it settles.</summary>
    private async Task DriveBackoffsAsync(Task call)
    {
        // A backoff timer may be created on another thread a moment after the failure: yield before each step. Steps of
        // half the first backoff (1 s ± 20 %) take each of the call's two backoffs in two to five steps.
        for (var i = 0; i < 200 && !call.IsCompleted; i++)
        {
            await Task.Delay(1);
            time.Pass(TimeSpan.FromMilliseconds(500));
        }
    }

    private async Task FailedCallsAsync(UnstableService.UnstableServiceClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var pending = client.ProcessAsync(Request()).ResponseAsync;
            await DriveBackoffsAsync(pending);
            Assert.That(await StatusOf(pending), Is.EqualTo(StatusCode.Unavailable));
        }
    }
}
