using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Telemetry;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;
using ResilientGrpc.Tests.Telemetry;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>What a hedged call records: each attempt once, the call once, its hedges, the cancelled ones, and two log lines.</summary>
public sealed class HedgingTelemetryTests : TelemetryTestBase
{
    [Test]
    public async Task HedgedCall_SecondHedgeWins_CountsEachAttemptOnceAndTheCallOnce()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var attempts = Collect<double>("grpc.client.attempt.duration");
        using var calls = Collect<double>("grpc.client.call.duration");
        using var hedges = Collect<long>("grpc.client.call.hedges");
        using var cancelled = Collect<long>("resilientgrpc.hedging.cancelled");
        Network.Unary = HangFirst();
        var client = Client(Hedging(), Breaker(), Deadline());

        var call = client.ProcessAsync(Request());
        Time.Pass(TimeSpan.FromMilliseconds(200));
        await call.ResponseAsync.WaitAsync(Bound);
        await Until(() => attempts.GetMeasurementSnapshot().Count == 2);

        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(2));
        Assert.That(attempts.GetMeasurementSnapshot().Select(m => Tag(m, ResilienceTelemetry.Tags.Status)), Is.EquivalentTo(new[] { "OK", "CANCELLED" }));
        var call1 = calls.GetMeasurementSnapshot().Single();
        Assert.That(Tag(call1, ResilienceTelemetry.Tags.Status), Is.EqualTo("OK"));
        Assert.That(call1.Value, Is.EqualTo(0.2).Within(1e-9));
        var hedged = hedges.GetMeasurementSnapshot().Single();
        Assert.That(hedged.Value, Is.EqualTo(1));
        Assert.That(Tag(hedged, ResilienceTelemetry.Tags.Method), Is.EqualTo(Method));
        Assert.That(cancelled.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task HedgedCall_FirstAnswers_RecordsNoHedgesAndNothingCancelled()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var hedges = Collect<long>("grpc.client.call.hedges");
        using var cancelled = Collect<long>("resilientgrpc.hedging.cancelled");
        var client = Client(Hedging(), Breaker(), Deadline());

        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        Assert.That(hedges.GetMeasurementSnapshot(), Is.Empty);
        Assert.That(cancelled.GetMeasurementSnapshot(), Is.Empty);
    }

    [Test]
    public async Task HedgedCall_AloneOnTheNetwork_CountsEachAttemptOnce()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var calls = Collect<double>("grpc.client.call.duration");
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Client(Hedging());

        await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(3));
        Assert.That(calls.GetMeasurementSnapshot().Select(m => Tag(m, ResilienceTelemetry.Tags.Status)), Is.EqualTo(new[] { "UNAVAILABLE" }));
    }

    [Test]
    public async Task HedgedStream_SecondHedgeDeliversFirst_CountsEachAttemptOnceAndTheCallOnce()
    {
        using var started = Collect<long>("grpc.client.attempt.started");
        using var attempts = Collect<double>("grpc.client.attempt.duration");
        using var calls = Collect<double>("grpc.client.call.duration");
        using var hedges = Collect<long>("grpc.client.call.hedges");
        Network.Stream = (arrival, token) => OneEvent(hang: arrival.Number == 1, token);
        var hedging = new HedgingInterceptor(
            new HedgingOptions { HedgedMethods = { "/unstable.v1.UnstableService/Subscribe" } }, InterceptorServices.From(Clock, Loggers, Meters, Target));
        var client = Client(hedging, Breaker(), Deadline());

        using (var call = client.Subscribe(new SubscribeRequest()))
        {
            var first = call.ResponseStream.MoveNext(CancellationToken.None);
            Time.Pass(TimeSpan.FromMilliseconds(200));
            Assert.That(await first.WaitAsync(Bound), Is.True);
            Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.False);
        }

        await Until(() => attempts.GetMeasurementSnapshot().Count == 2);
        Assert.That(started.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(2));
        Assert.That(calls.GetMeasurementSnapshot().Select(m => Tag(m, ResilienceTelemetry.Tags.Status)), Is.EqualTo(new[] { "OK" }));
        Assert.That(hedges.GetMeasurementSnapshot().Single().Value, Is.EqualTo(1));
    }

    [Test]
    public async Task HedgingLog_SecondHedgeWins_LogsHedgeSentAndHedgeWon()
    {
        Network.Unary = HangFirst();
        var client = Client(Hedging(), Breaker(), Deadline());

        var call = client.ProcessAsync(Request());
        Time.Pass(TimeSpan.FromMilliseconds(200));
        await call.ResponseAsync.WaitAsync(Bound);

        var records = Logs.GetSnapshot();
        var sent = records.Single(r => r.Id.Name == "HedgeSent");
        Assert.That(sent.Message, Is.EqualTo("Process hedge 2/3 sent after 0.20 s"));
        Assert.That(sent.Category, Is.EqualTo("ResilientGrpc.Hedging"));
        Assert.That(sent.Id.Id, Is.EqualTo(4001));
        var won = records.Single(r => r.Id.Name == "HedgeWon");
        Assert.That(won.Message, Is.EqualTo("Process answered by hedge 2; 1 other attempt cancelled"));
        Assert.That(won.Id.Id, Is.EqualTo(4002));
    }

    [Test]
    public async Task HedgingLog_NegativePushback_LogsPushbackStop()
    {
        Network.Unary = (_, _) => Task.FromException<object?>(new RpcException(
            new Status(StatusCode.Unavailable, "busy"), new Metadata { { "grpc-retry-pushback-ms", "-1" } }));
        var client = Client(Hedging());

        await Assert.ThrowsAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(
            Logs.GetSnapshot().Single(r => r.Id.Name == "PushbackStop").Message,
            Is.EqualTo("Process hedge 1 failed: Unavailable; server pushback says to send no more hedges"));
        Assert.That(Network.Count, Is.EqualTo(1));
    }

    private HedgingInterceptor Hedging() =>
        new(new HedgingOptions { HedgedMethods = { "/" + Method } }, InterceptorServices.From(Clock, Loggers, Meters, Target));

    private static async IAsyncEnumerable<object> OneEvent(bool hang, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
    {
        if (hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }

        yield return new Event { Sequence = 1 };
    }

    private static Func<Arrival, CancellationToken, Task<object?>> HangFirst() =>
        async (arrival, token) =>
        {
            if (arrival.Number == 1)
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, token);
            }

            return new ProcessReply { Result = "ok" };
        };
}
