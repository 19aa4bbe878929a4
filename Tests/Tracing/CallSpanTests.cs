using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>
/// One span per logical call, whatever its attempts: named and tagged after OpenTelemetry's RPC conventions and gRPC's
/// metric tags, ended once when the call settles, the child of the caller's activity, and the parent of every attempt.
/// </summary>
public sealed class CallSpanTests : TracingTestBase
{
    [TestCaseSource(nameof(Paths))]
    public async Task AlwaysUnavailable_ThreeAttempts_OneSpanWithTwoRetryEvents(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Stack(path);

        var error = await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        Assert.That(error.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3));
        var span = spans.Single();
        Assert.That(span.DisplayName, Is.EqualTo(Method));
        Assert.That(span.Kind, Is.EqualTo(ActivityKind.Client));
        Assert.That(span.Parent, Is.SameAs(spans.Root), "the caller's activity is the parent");
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(span.StatusDescription, Is.EqualTo("scripted Unavailable"));
        Assert.That(span.GetTagItem("rpc.system"), Is.EqualTo("grpc"));
        Assert.That(span.GetTagItem("rpc.service"), Is.EqualTo("unstable.v1.UnstableService"));
        Assert.That(span.GetTagItem("rpc.method"), Is.EqualTo("Process"));
        Assert.That(span.GetTagItem("grpc.method"), Is.EqualTo(Method));
        Assert.That(span.GetTagItem("rpc.grpc.status_code"), Is.EqualTo(14));
        Assert.That(span.GetTagItem("grpc.status"), Is.EqualTo("UNAVAILABLE"));
        var retries = span.Events("retry.scheduled");
        Assert.That(retries.Select(e => e.Tag("attempt")), Is.EqualTo(new object[] { 1, 2 }));
        Assert.That(retries.Select(e => e.Tag("grpc.status")), Is.All.EqualTo("UNAVAILABLE"));
        Assert.That(retries.Select(e => e.Tag("delay_ms")), Is.EqualTo(new object[] { 1000.0, 2000.0 }));
    }

    [TestCaseSource(nameof(Paths))]
    public async Task Succeeds_OkSpanWithoutEvents(string path)
    {
        using var spans = new SpanCollector();

        await Stack(path).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        var span = spans.Single();
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Unset));
        Assert.That(span.GetTagItem("rpc.grpc.status_code"), Is.EqualTo(0));
        Assert.That(span.GetTagItem("grpc.status"), Is.EqualTo("OK"));
        Assert.That(span.Events, Is.Empty);
    }

    [Test]
    public async Task Target_KnownTarget_Tagged()
    {
        using var spans = new SpanCollector();

        await Client(Retry()).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(spans.Single().GetTagItem("grpc.target"), Is.EqualTo(Target));
    }

    [TestCaseSource(nameof(Paths))]
    public async Task FailsTwiceThenSucceeds_AttemptsStartUnderTheSpan(string path)
    {
        using var spans = new SpanCollector();
        var probe = new ActivityProbe();
        Network.Unary = FailFirst(2, StatusCode.Unavailable);
        var client = Stack(path, below: probe);

        var call = await RunBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);
        await call.WaitAsync(Bound);

        var span = spans.Single();
        Assert.That(probe.Seen, Has.Count.EqualTo(3));
        Assert.That(probe.Seen, Is.All.SameAs(span), "each attempt, the retries from the retry loop included, starts under the call's span");
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Unset));
        Assert.That(span.Events("retry.scheduled"), Has.Count.EqualTo(2));
    }

    [TestCaseSource(nameof(Paths))]
    public async Task Pushback_EventWithValueThenRetry(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = FailFirst(1, StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", "500" } });
        var client = Stack(path);

        var call = await RunBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 0.5);
        await call.WaitAsync(Bound);

        var pushback = spans.Single().Events("pushback").Single();
        Assert.That(pushback.Tag("attempt"), Is.EqualTo(1));
        Assert.That(pushback.Tag("pushback_ms"), Is.EqualTo(500L));
        Assert.That(pushback.Tag("stops"), Is.EqualTo(false));
        Assert.That(pushback.Tag("grpc.status"), Is.EqualTo("UNAVAILABLE"));
        Assert.That(spans.Single().Events("retry.scheduled").Single().Tag("delay_ms"), Is.EqualTo(500.0));
    }

    [TestCaseSource(nameof(Paths))]
    public async Task PushbackStop_EventThatStopsAndNoRetry(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = FailFirst(1, StatusCode.Unavailable, new Metadata { { "grpc-retry-pushback-ms", "-1" } });

        var error = await Assert.ThrowsAsync<RpcException>(() => Stack(path).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        var span = spans.Single();
        var pushback = span.Events("pushback").Single();
        Assert.That(pushback.Tag("stops"), Is.EqualTo(true));
        Assert.That(pushback.Tag("pushback_ms"), Is.EqualTo(-1L));
        Assert.That(span.Events("retry.scheduled"), Is.Empty);
    }

    [TestCaseSource(nameof(Paths))]
    public async Task CallerCancels_SpanEndsCancelled(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = ScriptedCallInvoker.Hang();
        using var cancel = new CancellationTokenSource();
        var call = Stack(path).ProcessAsync(Request(), cancellationToken: cancel.Token);
        Assert.That(spans.Started, Has.Count.EqualTo(1));
        Assert.That(spans.Spans, Is.Empty, "not ended while the call runs");

        await cancel.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        var span = (await spans.Ended(1))[0];
        Assert.That(span.GetTagItem("rpc.grpc.status_code"), Is.EqualTo(1));
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
        call.Dispose();
        Assert.That(spans.Spans, Has.Count.EqualTo(1), "ended once");
    }

    [TestCaseSource(nameof(Paths))]
    public async Task CallerDisposes_SpanEndsCancelledOnce(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = ScriptedCallInvoker.Hang();
        var call = Stack(path).ProcessAsync(Request());

        call.Dispose();

        var span = (await spans.Ended(1))[0];
        Assert.That(span.GetTagItem("grpc.status"), Is.EqualTo("CANCELLED"));
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(Activity.Current, Is.SameAs(spans.Root), "disposing leaves the caller's activity current");
        await Task.Delay(20);
        Assert.That(spans.Spans, Has.Count.EqualTo(1), "ended once");
    }

    [TestCaseSource(nameof(Paths))]
    public void CallRunning_CallersActivityCurrentAgainOnReturn(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = ScriptedCallInvoker.Hang();

        using var call = Stack(path).ProcessAsync(Request());

        Assert.That(Activity.Current, Is.SameAs(spans.Root));
        Assert.That(spans.Started, Has.Count.EqualTo(1));
    }

    [Test]
    public void CallRunning_NoCallerActivity_NoneCurrentOnReturn()
    {
        using var spans = new SpanCollector(root: false);
        Network.Unary = ScriptedCallInvoker.Hang();

        using var call = Stack("WithResilience").ProcessAsync(Request());

        Assert.That(Activity.Current, Is.Null);
        Assert.That(spans.Started.Single().Parent, Is.Null, "a root span");
    }

    [TestCase("RBD")]
    [TestCase("BD")]
    [TestCase("DBR")]
    [TestCase("BRD")]
    [TestCase("D")]
    public async Task Stacked_OnlyTheOutermostStartsTheSpan(string stack)
    {
        using var spans = new SpanCollector();
        var probe = new ActivityProbe();
        Network.Unary = FailFirst(1, StatusCode.Unavailable);
        var layers = stack.Select(c => c switch
        {
            'R' => (Grpc.Core.Interceptors.Interceptor)Retry(),
            'B' => Breaker(),
            _ => Deadline(),
        }).Append(probe).ToArray();
        var client = Client(layers);

        var call = await RunBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, stack.Contains('R') ? [1] : []);
        await Task.WhenAny(call, Task.Delay(Bound));

        Assert.That(spans.Started, Has.Count.EqualTo(1), "one span, started by the outermost layer only");
        Assert.That(spans.Spans, Has.Count.EqualTo(1));
        Assert.That(probe.Seen, Is.All.SameAs(spans.Spans[0]));
    }

    [Test]
    public async Task NoListener_NoSpan_AttemptsSeeTheCallersActivity()
    {
        using var root = new Activity("test").Start();
        var probe = new ActivityProbe();

        await Stack("WithResilience", below: probe).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(ResilientGrpc.Interceptors.Telemetry.CallTracing.IsListening, Is.False);
        Assert.That(probe.Seen, Is.EqualTo(new[] { root }));
    }

    [Test]
    public async Task ListenerSamplesNothing_NoSpan()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ResilienceTelemetry.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
        };
        ActivitySource.AddActivityListener(listener);
        using var root = new Activity("test").Start();
        var probe = new ActivityProbe();

        await Stack("Intercept", below: probe).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        Assert.That(probe.Seen, Is.EqualTo(new[] { root }));
        Assert.That(Activity.Current, Is.SameAs(root));
    }

    [TestCaseSource(nameof(Paths))]
    public void LayerBelowThrows_SpanEndsWithTheErrorAndCallersActivityIsCurrent(string path)
    {
        using var spans = new SpanCollector();

        Assert.Throws<ObjectDisposedException>(() => Stack(path, below: new ThrowingInterceptor()).ProcessAsync(Request()));

        var span = spans.Single();
        Assert.That(span.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(span.StatusDescription, Is.EqualTo(new ObjectDisposedException("channel").Message), "the error the layer below threw");
        Assert.That(Activity.Current, Is.SameAs(spans.Root));
    }

    [Test]
    public void Blocking_Succeeds_OneSpanAndCallersActivityCurrent()
    {
        using var spans = new SpanCollector();
        var probe = new ActivityProbe();

        Stack("Intercept", below: probe).Process(Request());

        var span = spans.Single();
        Assert.That(span.GetTagItem("grpc.status"), Is.EqualTo("OK"));
        Assert.That(probe.Seen, Is.EqualTo(new[] { span }));
        Assert.That(Activity.Current, Is.SameAs(spans.Root));
    }
}
