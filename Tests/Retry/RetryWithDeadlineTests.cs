using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Retry;

/// <summary>Retry stacked above the deadline interceptor, as recommended: one deadline per attempt.</summary>
public sealed class RetryWithDeadlineTests : RetryTestBase
{
    [Test]
    public async Task AsyncUnaryCall_UnderRetry_EachAttemptGetsMinOfTimeoutAndCallerDeadline()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var options = Exact();
        options.RetryableStatusCodes.Add(StatusCode.DeadlineExceeded);
        var client = Client(options, below: new DeadlineInterceptor(new DeadlineOptions(), Time));

        var call = client.ProcessAsync(new ProcessRequest(), deadline: Start.AddSeconds(5));
        Advance(2000);   // attempt 1 times out at 2 s
        await BackoffStarted(1);
        Advance(1000);   // attempt 2 starts at 3 s with the caller's 5 s deadline
        await Until(() => Network.Count == 2);
        Advance(2000);   // attempt 2 times out at 5 s: the caller's deadline has passed

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Network.Arrivals.Select(a => a.Deadline), Is.EqualTo(new DateTime?[] { Start.AddSeconds(2), Start.AddSeconds(5) }));
        Advance(60_000);
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task AsyncUnaryCall_UnderRetryWithoutCallerDeadline_EachAttemptGetsItsOwnTimeout()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var options = Exact();
        options.RetryableStatusCodes.Add(StatusCode.DeadlineExceeded);
        var client = Client(options, below: new DeadlineInterceptor(new DeadlineOptions(), Time));

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(2000);   // attempt 1 times out at 2 s
        await BackoffStarted(1);
        Advance(1000);   // attempt 2 starts at 3 s
        await Until(() => Network.Count == 2);
        Advance(2000);   // attempt 2 times out at 5 s
        await BackoffStarted(2);
        Advance(2000);   // attempt 3 starts at 7 s
        await Until(() => Network.Count == 3);
        Advance(2000);   // attempt 3 times out at 9 s

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(
            Network.Arrivals.Select(a => a.Deadline),
            Is.EqualTo(new DateTime?[] { Start.AddSeconds(2), Start.AddSeconds(5), Start.AddSeconds(9) }));
    }

    [Test]
    public async Task AsyncUnaryCall_HangWithDefaultStack_FailsWithDeadlineExceededAtTwoSeconds()
    {
        Network.Unary = ScriptedCallInvoker.Hang();
        var client = Client(new RetryOptions(), below: new DeadlineInterceptor(new DeadlineOptions(), Time));

        var call = client.ProcessAsync(new ProcessRequest());
        Advance(1999);
        Assert.That(call.ResponseAsync.IsCompleted, Is.False);
        Advance(1);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(Network.Count, Is.EqualTo(1));
    }
}
