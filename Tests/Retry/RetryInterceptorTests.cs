using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Retry;

public sealed class RetryInterceptorTests : RetryTestBase
{
    [Test]
    public async Task AsyncUnaryCall_AlwaysUnavailable_MakesThreeAttemptsThenFailsWithLastAttemptsError()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        Advance(2000);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(Network.Count, Is.EqualTo(3));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(error.Status.Detail, Is.EqualTo("attempt 3"));
        Assert.That(error.Trailers.GetValue("attempt"), Is.EqualTo("3"));
        Assert.That(call.GetStatus(), Is.EqualTo(error.Status));
        Assert.That(call.GetTrailers().GetValue("attempt"), Is.EqualTo("3"));
        var headersError = await Assert.ThrowsAsync<RpcException>(() => call.ResponseHeadersAsync.WaitAsync(Bound));
        Assert.That(headersError, Is.SameAs(error));
    }

    [Test]
    public async Task AsyncUnaryCall_NoJitter_WaitsExactlyOneThenTwoSeconds()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());

        Assert.That(Network.Count, Is.EqualTo(1));
        Advance(999);
        Assert.That(Network.Count, Is.EqualTo(1), "nothing before 1 s");
        Advance(1);
        Assert.That(Network.Count, Is.EqualTo(2), "the 2nd attempt at 1 s");
        Advance(1999);
        Assert.That(Network.Count, Is.EqualTo(2), "nothing before 3 s");
        Advance(1);
        Assert.That(Network.Count, Is.EqualTo(3), "the 3rd attempt at 3 s");
        Assert.That(Network.Arrivals.Select(a => a.Number), Is.EqualTo(new[] { 1, 2, 3 }));
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
    }

    [Test]
    public async Task AsyncUnaryCall_SecondAttemptSucceeds_ReturnsItsResponseAndStatus()
    {
        Network.Unary = (arrival, _) => arrival.Number == 1
            ? Task.FromException<object?>(new RpcException(new Status(StatusCode.Unavailable, "down")))
            : Task.FromResult<object?>(new ProcessReply { Result = "ok" });
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("ok"));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(await call.ResponseHeadersAsync.WaitAsync(Bound), Is.Not.Null);
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public void AsyncUnaryCall_StatusBeforeCompletion_ThrowsInvalidOperation()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        using var call = client.ProcessAsync(new ProcessRequest());

        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());
    }

    [TestCase(0.0, 800)]
    [TestCase(0.5, 1000)]
    [TestCase(0.75, 1100)]
    public async Task AsyncUnaryCall_PinnedRandom_DelayIsScaledWithinJitterBounds(double sample, int expectedMs)
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(new RetryOptions { JitterFactor = 0.2 }, () => sample);

        using var call = client.ProcessAsync(new ProcessRequest());
        Advance(expectedMs - 1);
        Assert.That(Network.Count, Is.EqualTo(1));
        Advance(1);

        Assert.That(Network.Count, Is.EqualTo(2));
        await Task.CompletedTask;
    }

    [Test]
    public async Task AsyncUnaryCall_NextDelayEndsAfterDeadline_FailsAtOnceWithDeadlineExceeded()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest(), deadline: Start.AddMilliseconds(2500));
        Advance(1000);

        // Attempt 2 failed at 1 s; the next delay (2 s) would end at 3 s, after the 2.5 s deadline.
        Assert.That(call.ResponseAsync.IsCompleted, Is.True, "failed without sleeping");
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Advance(10_000);
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task AsyncUnaryCall_DelayEndsExactlyAtDeadline_StartsNoAttemptAtTheDeadline()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest(), deadline: Start.AddSeconds(1));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Advance(10_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_BackoffEndsLateAfterTheDeadline_StartsNoAttempt()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest(), deadline: Start.AddMilliseconds(1500));
        await BackoffStarted(1);

        // The 1 s backoff was due before the 1.5 s deadline; its timer fires late, at 2 s, as on a starved thread pool.
        Advance(2000);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Network.Count, Is.EqualTo(1), "no attempt leaves once the deadline has passed");
    }

    [TestCase("-1")]
    [TestCase("soon")]
    [TestCase("")]
    public async Task AsyncUnaryCall_NegativeOrMalformedPushback_StopsRetrying(string pushback)
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", pushback } });
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(error.Trailers.GetValue("grpc-retry-pushback-ms"), Is.EqualTo(pushback));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_PushbackDelay_WaitsExactlyThatLong()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", "250" } });
        var client = Client(new RetryOptions(), () => 0.0);

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(249);
        Assert.That(Network.Count, Is.EqualTo(1));
        Advance(1);
        Assert.That(Network.Count, Is.EqualTo(2));
        Advance(250);

        Assert.That(Network.Count, Is.EqualTo(3), "still bounded by MaxAttempts");
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
    }

    [Test]
    public async Task AsyncUnaryCall_PushbackBeyondDeadline_FailsAtOnceWithDeadlineExceeded()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", "5000" } });
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest(), deadline: Start.AddSeconds(2));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public void AsyncUnaryCall_PushbackNotHonored_UsesBackoff()
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", "-1" } });
        var options = Exact();
        options.HonorServerPushback = false;
        var client = Client(options);

        using var call = client.ProcessAsync(new ProcessRequest());
        Advance(999);
        Assert.That(Network.Count, Is.EqualTo(1));
        Advance(1);

        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [TestCase(StatusCode.Cancelled)]
    [TestCase(StatusCode.Unknown)]
    [TestCase(StatusCode.InvalidArgument)]
    [TestCase(StatusCode.DeadlineExceeded)]
    [TestCase(StatusCode.NotFound)]
    [TestCase(StatusCode.AlreadyExists)]
    [TestCase(StatusCode.PermissionDenied)]
    [TestCase(StatusCode.ResourceExhausted)]
    [TestCase(StatusCode.FailedPrecondition)]
    [TestCase(StatusCode.Aborted)]
    [TestCase(StatusCode.OutOfRange)]
    [TestCase(StatusCode.Unimplemented)]
    [TestCase(StatusCode.Internal)]
    [TestCase(StatusCode.DataLoss)]
    [TestCase(StatusCode.Unauthenticated)]
    public async Task AsyncUnaryCall_NonRetryableStatus_FailsAfterOneAttempt(StatusCode code)
    {
        Network.Unary = FailNumbered(code);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(code));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_CustomRetryableStatuses_RetriesOnlyThose()
    {
        var options = Exact();
        options.RetryableStatusCodes = new HashSet<StatusCode> { StatusCode.Internal };
        Network.Unary = (arrival, _) => Task.FromException<object?>(new RpcException(
            new Status(arrival.Number == 1 ? StatusCode.Internal : StatusCode.Unavailable, "scripted")));
        var client = Client(options);

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [TestCase(Process)]
    [TestCase(Service)]
    public async Task AsyncUnaryCall_MethodOptedOut_IsNotRetried(string key)
    {
        var options = Exact();
        options.NonRetryableMethods.Add(key);
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(options);

        var call = client.ProcessAsync(new ProcessRequest());

        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancelsDuringBackoff_FailsAtOnceWithCancelled()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());
        using var cts = new CancellationTokenSource();

        var call = client.ProcessAsync(new ProcessRequest(), cancellationToken: cts.Token);
        Advance(500);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_CallerCancelsDuringAttempt_FailsWithCancelledAndIsNotRetried()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(Exact());
        using var cts = new CancellationTokenSource();

        var call = client.ProcessAsync(new ProcessRequest(), cancellationToken: cts.Token);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_DisposedDuringBackoff_FailsWithCancelledAndStopsRetrying()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());
        call.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AsyncUnaryCall_DisposedDuringAttempt_DisposesTheAttemptAndFailsWithCancelled()
    {
        Network.Unary = (arrival, token) => arrival.Number == 1
            ? ScriptedCallInvoker.FailWith(StatusCode.Unavailable)(arrival, token)
            : ScriptedCallInvoker.Hang()(arrival, token);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        call.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Arrivals[1].IsDisposed, Is.True);
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task AsyncUnaryCall_Retried_CarriesPreviousAttemptsWithoutTouchingCallerHeaders()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());
        var headers = new Metadata { { "tenant", "blue" } };

        var call = client.ProcessAsync(new ProcessRequest(), headers);
        Advance(1000);
        Advance(2000);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        var arrivals = Network.Arrivals;
        Assert.That(arrivals.Select(a => a.Header("grpc-previous-rpc-attempts")), Is.EqualTo(new[] { null, "1", "2" }));
        Assert.That(arrivals.Select(a => a.Header("tenant")), Is.EqualTo(new[] { "blue", "blue", "blue" }));
        Assert.That(headers, Has.Count.EqualTo(1), "the caller's metadata is not mutated");
    }

    [Test]
    public async Task AsyncUnaryCall_Retried_DisposesSupersededAttempts()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(Exact());

        var call = client.ProcessAsync(new ProcessRequest());
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True, "superseded once the retry is decided");
        Advance(1000);
        Assert.That(Network.Arrivals[1].IsDisposed, Is.True);
        Advance(2000);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(Network.Arrivals[2].IsDisposed, Is.False, "the final attempt belongs to the caller");
    }

    [Test]
    public async Task AsyncUnaryCall_OptionsMutatedAfterConstruction_KeepsOriginalBehaviour()
    {
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var options = Exact();
        var client = Client(options);

        options.MaxAttempts = 1;
        options.RetryableStatusCodes.Clear();
        options.InitialBackoff = TimeSpan.FromMinutes(1);
        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        Advance(2000);

        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(Network.Count, Is.EqualTo(3));
    }

    [Test]
    public async Task AsyncUnaryCall_BrokenCircuitBelow_IsNotRetried()
    {
        var breaker = new RejectingInterceptor();
        var client = Client(Exact(), below: breaker);

        var call = client.ProcessAsync(new ProcessRequest());

        var error = await Assert.ThrowsAsync<BrokenCircuitException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Advance(60_000);
        Assert.That(breaker.Calls, Is.EqualTo(1));
        Assert.That(Network.Count, Is.Zero);
    }

    [Test]
    public async Task AsyncUnaryCall_FailsAfterResponseHeaders_IsRetriedLikeAnyFailure()
    {
        // grpc-dotnet reports headers for every call the server answered, even a trailers-only failure: headers
        // cannot commit a unary attempt.
        var server = new HeadersThenFailInterceptor();
        var client = Client(Exact(), below: server);

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1000);
        Advance(2000);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.Status.Detail, Is.EqualTo("failed after headers"));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Advance(60_000);
        Assert.That(server.Calls, Is.EqualTo(3));
    }

    [Test]
    public async Task AsyncUnaryCall_SingleAttemptConfigured_PassesTheCallThrough()
    {
        var options = Exact();
        options.MaxAttempts = 1;
        Network.Unary = FailNumbered(StatusCode.Unavailable);
        var client = Client(options);

        var call = client.ProcessAsync(new ProcessRequest());

        await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(1));
    }
}
