using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Stacking;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;
using ResilientGrpc.Tests.Telemetry;

namespace ResilientGrpc.Tests.Stacking;

/// <summary>
/// Hedging stacked in one line: outermost, and a hedged call is never retried, through either entry point; the call
/// kinds hedging passes through are left to retry as for an unlisted method.
/// </summary>
public sealed class HedgingStackTests : TelemetryTestBase
{
    private const string Process = "/unstable.v1.UnstableService/Process";
    private const string Service = "unstable.v1.UnstableService";

    public enum EntryPoint
    {
        WithResilience,
        Intercept,
    }

    [TestCase(EntryPoint.WithResilience)]
    [TestCase(EntryPoint.Intercept)]
    public async Task HedgedMethod_EveryAttemptUnavailable_HedgesAtOnceAndIsNeverRetried(EntryPoint entry)
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(entry, new ResilienceOptions { Hedging = new HedgingOptions { HedgedMethods = { Process } } });
        var start = Time.GetUtcNow().UtcDateTime;

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        Time.Pass(TimeSpan.FromSeconds(10));
        await Task.Delay(10);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3), "3 hedges, no retry of any of them");
        Assert.That(Network.Arrivals.Select(a => a.Header("grpc-previous-rpc-attempts")), Is.EqualTo(new[] { null, "1", "2" }));
        Assert.That(Network.Arrivals.Select(a => a.Deadline), Is.All.EqualTo(start.AddSeconds(2)), "each hedge has its attempt deadline");
    }

    [TestCase(EntryPoint.WithResilience)]
    [TestCase(EntryPoint.Intercept)]
    public async Task MethodNotHedged_StillRetriedWithBackoff(EntryPoint entry)
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var options = new ResilienceOptions
        {
            Retry = new RetryOptions { JitterFactor = 0 },
            Hedging = new HedgingOptions { HedgedMethods = { "/other.Service/Call" } },
        };
        var client = Client(entry, options);

        var error = await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3));
        Assert.That(Clock.TimersCreated, Is.EqualTo(2), "two backoff waits, no hedge timer");
    }

    [TestCase(EntryPoint.WithResilience)]
    [TestCase(EntryPoint.Intercept)]
    public async Task HedgedMethod_FullStack_CountsEachHedgeOnceAndTheCallOnce(EntryPoint entry)
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var calls = Collect<double>("grpc.client.call.duration");
        Network.Unary = async (arrival, token) =>
        {
            if (arrival.Number == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            return new ProcessReply { Result = "ok" };
        };
        var client = Client(entry, new ResilienceOptions { Hedging = new HedgingOptions { HedgedMethods = { Process } } });

        var call = client.ProcessAsync(Request());
        Time.Pass(TimeSpan.FromMilliseconds(200));
        var reply = await call.ResponseAsync.WaitAsync(Bound);

        Assert.That(reply.Result, Is.EqualTo("ok"));
        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(2));
        Assert.That(calls.GetMeasurementSnapshot(), Has.Count.EqualTo(1));
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True);
    }

    [TestCase(EntryPoint.WithResilience)]
    [TestCase(EntryPoint.Intercept)]
    public async Task ListedService_BlockingCallUnavailable_RetriedWithBackoffNotHedged(EntryPoint entry)
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(entry, ListedService());

        var error = await FailsAfterBackoffs(() => Task.Run(() => client.Process(Request())), 1, 2);

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3), "hedging passes blocking calls through, and retry makes its 3 attempts");
        Assert.That(Network.Arrivals.Select(a => a.Header("grpc-previous-rpc-attempts")), Is.EqualTo(new[] { null, "1", "2" }));
        Assert.That(Clock.TimersCreated, Is.EqualTo(2), "two backoff waits, no hedge timer");
    }

    [TestCase(EntryPoint.WithResilience)]
    [TestCase(EntryPoint.Intercept)]
    public async Task ListedService_AsyncUnaryCallUnavailable_HedgedAtOnceAndNeverRetried(EntryPoint entry)
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(entry, ListedService());

        // No time passes: a retry would wait for its backoff; hedges after UNAVAILABLE go at once.
        var error = await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));
        Time.Pass(TimeSpan.FromSeconds(10));
        await Task.Delay(10);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3), "3 hedges, no retry of any of them");
    }

    [TestCase(EntryPoint.WithResilience, true)]
    [TestCase(EntryPoint.WithResilience, false)]
    [TestCase(EntryPoint.Intercept, true)]
    [TestCase(EntryPoint.Intercept, false)]
    public async Task ClientStreamingCallUnavailable_ListedOrNot_SameSingleAttempt(EntryPoint entry, bool listed)
    {
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(entry, listed ? ListedService() : OtherServiceListed());

        using var call = client.Upload();
        await call.RequestStream.WriteAsync(new Chunk()).WaitAsync(Bound);
        await call.RequestStream.CompleteAsync().WaitAsync(Bound);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Time.Pass(TimeSpan.FromSeconds(60));
        await Task.Delay(10);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(1), "not hedged, and retry, which never replays a request stream, treats it as any unlisted method");
    }

    [TestCase(EntryPoint.WithResilience, true)]
    [TestCase(EntryPoint.WithResilience, false)]
    [TestCase(EntryPoint.Intercept, true)]
    [TestCase(EntryPoint.Intercept, false)]
    public async Task DuplexCallUnavailable_ListedOrNot_SameSingleAttempt(EntryPoint entry, bool listed)
    {
        Network.Stream = (_, _) => Unavailable();
        var client = Client(entry, listed ? ListedService() : OtherServiceListed());

        using var call = client.Echo();
        await call.RequestStream.WriteAsync(new EchoMessage { Text = "hi" }).WaitAsync(Bound);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Time.Pass(TimeSpan.FromSeconds(60));
        await Task.Delay(10);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(1), "not hedged, and retry, which never replays a request stream, treats it as any unlisted method");
    }

    /// <summary>Hedging for the whole service by its name, with exact retry backoffs of 1 s and 2 s.</summary>
    private static ResilienceOptions ListedService() => new()
    {
        Retry = new RetryOptions { JitterFactor = 0 },
        Hedging = new HedgingOptions { HedgedMethods = { Service } },
    };

    /// <summary>The same stack with another service hedged.</summary>
    private static ResilienceOptions OtherServiceListed() => new()
    {
        Retry = new RetryOptions { JitterFactor = 0 },
        Hedging = new HedgingOptions { HedgedMethods = { "other.v1.OtherService" } },
    };

    /// <summary>A stream that fails with UNAVAILABLE before its first message.</summary>
    private static async IAsyncEnumerable<object> Unavailable()
    {
        yield return await Task.FromException<object>(new RpcException(new Status(StatusCode.Unavailable, "scripted Unavailable")));
    }

    private UnstableService.UnstableServiceClient Client(EntryPoint entry, ResilienceOptions options) =>
        new(entry == EntryPoint.WithResilience
            ? Network.WithResilience(options, Clock, Loggers, Meters)
            : Network.Intercept(new ResilienceInterceptor(ResilienceStack.Create(options, Clock, Loggers, Meters, Target))));
}
