using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>A hedged call is one span: every hedge starts under it, and its sending and cancelling are its events.</summary>
public sealed class HedgeEventTests : TracingTestBase
{
    [Test]
    public async Task FirstHangs_HedgeAnswers_HedgesUnderOneSpanWithSentAndCancelledEvents()
    {
        using var spans = new SpanCollector();
        var probe = new ActivityProbe();
        Network.Unary = (arrival, token) => arrival.Number == 1
            ? Task.Delay(Timeout.InfiniteTimeSpan, token).ContinueWith<object?>(_ => null, TaskScheduler.Default)
            : Task.FromResult<object?>(null);
        var hedging = new HedgingInterceptor(
            new HedgingOptions { HedgedMethods = { "/" + Method }, Delay = TimeSpan.FromMilliseconds(200) },
            InterceptorServices.From(Clock, Loggers, Meters, Target));
        var client = Client(hedging, probe);

        var call = await RunBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 0.2);
        await call.WaitAsync(Bound);

        var span = spans.Single();
        Assert.That(probe.Seen, Has.Count.EqualTo(2));
        Assert.That(probe.Seen, Is.All.SameAs(span), "the hedge sent from the timer starts under the call's span");
        Assert.That(span.Events("hedge.sent").Select(e => e.Tag("attempt")), Is.EqualTo(new object[] { 2 }));
        var cancelled = span.Events("hedge.cancelled").Single();
        Assert.That(cancelled.Tag("attempt"), Is.EqualTo(2));
        Assert.That(cancelled.Tag("count"), Is.EqualTo(1));
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Unset));
        Assert.That(Activity.Current, Is.SameAs(spans.Root));
    }

    [TestCase("-1", true, -1L, 1)]
    [TestCase("0", false, 0L, 2)]
    [TestCase("50", false, 50L, 2)]
    public async Task FailedAttemptWithPushback_EventOnTheSpan(string pushback, bool stops, long milliseconds, int arrivals)
    {
        using var spans = new SpanCollector();
        Network.Unary = FailFirst(1, StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", pushback } });
        var hedging = new HedgingInterceptor(
            new HedgingOptions { HedgedMethods = { "/" + Method }, Delay = TimeSpan.FromSeconds(1) },
            InterceptorServices.From(Clock, Loggers, Meters, Target));
        var client = Client(hedging, new ActivityProbe());

        // The first attempt fails at once: the only wait is the pushback's (none after a stop).
        var call = await RunBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 0.05);
        try
        {
            await call.WaitAsync(Bound);
        }
        catch (RpcException error) when (stops && error.StatusCode == StatusCode.Unavailable)
        {
            // A stop pushback on the only attempt ends the call with its failure.
        }

        var span = spans.Single();
        var pushbackEvent = span.Events("pushback").Single();
        Assert.That(pushbackEvent.Tag("attempt"), Is.EqualTo(1));
        Assert.That(pushbackEvent.Tag("stops"), Is.EqualTo(stops));
        Assert.That(pushbackEvent.Tag("pushback_ms"), Is.EqualTo(milliseconds));
        Assert.That(Network.Arrivals, Has.Count.EqualTo(arrivals), stops ? "no hedge after a stop" : "the next hedge after the pushback");
        Assert.That(span.Events("hedge.cancelled"), Is.Empty, "no other copy was in flight to cancel");
    }
}
