using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>
/// A breaker's part in a call's span: the transition the call's own outcome caused, and a refusal by an open
/// circuit, which is a span of its own with no attempt under it.
/// </summary>
public sealed class BreakerEventTests : TracingTestBase
{
    [TestCaseSource(nameof(Paths))]
    public async Task FailingCallOpensCircuit_TransitionOnItsSpan_NextCallRejectedOnItsSpan(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = ScriptedCallInvoker.FailWith(StatusCode.Unavailable);
        var client = Stack(path, failureThreshold: 1);
        await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);

        var rejected = await Assert.CatchAsync<RpcException>(() => client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        Assert.That(rejected!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(3), "the refused call reached no network");
        var (failed, refused) = (spans.Spans[0], spans.Spans[1]);
        var opened = failed.Events("circuit_breaker.transition").Single();
        Assert.That(opened.Tag("breaker"), Is.EqualTo("unstable"));
        Assert.That(opened.Tag("from"), Is.EqualTo("closed"));
        Assert.That(opened.Tag("to"), Is.EqualTo("open"));
        Assert.That(opened.Tag("reason"), Is.Not.Null);
        var rejection = refused.Events("circuit_breaker.rejected").Single();
        Assert.That(rejection.Tag("breaker"), Is.EqualTo("unstable"));
        Assert.That(rejection.Tag("state"), Is.EqualTo("open"));
        Assert.That(refused.Status, Is.EqualTo(ActivityStatusCode.Error));
        Assert.That(refused.StatusDescription, Is.EqualTo(rejected.Status.Detail));
        Assert.That(refused.GetTagItem("rpc.grpc.status_code"), Is.EqualTo(14));
        Assert.That(refused.GetTagItem("grpc.status"), Is.EqualTo("UNAVAILABLE"));
        Assert.That(refused.Events("retry.scheduled"), Is.Empty, "a refusal is not retried");
        Assert.That(refused.Events("circuit_breaker.transition"), Is.Empty);
        Assert.That(Activity.Current, Is.SameAs(spans.Root));
    }

    [TestCaseSource(nameof(Paths))]
    public async Task ProbeAfterBreak_HalfOpensAndClosesOnItsSpan(string path)
    {
        using var spans = new SpanCollector();
        Network.Unary = FailFirst(3, StatusCode.Unavailable);
        var client = Stack(path, failureThreshold: 1);
        await FailsAfterBackoffs(() => client.ProcessAsync(Request()).ResponseAsync, 1, 2);
        Time.Pass(TimeSpan.FromSeconds(30));

        await client.ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound);

        var probe = spans.Spans[1];
        Assert.That(
            probe.Events("circuit_breaker.transition").Select(e => $"{e.Tag("from")}->{e.Tag("to")}"),
            Is.EqualTo(new[] { "open->half_open", "half_open->closed" }));
        Assert.That(probe.Status, Is.EqualTo(ActivityStatusCode.Unset));
    }

    [Test]
    public async Task BreakerAlone_Isolated_RejectedSpanAndNoTransitionFromTheUser()
    {
        using var spans = new SpanCollector();
        var breaker = Breaker();
        breaker.Isolate();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => Client(breaker).ProcessAsync(Request()).ResponseAsync.WaitAsync(Bound));

        var span = spans.Single();
        Assert.That(span.Events("circuit_breaker.rejected").Single().Tag("state"), Is.EqualTo("isolated"));
        Assert.That(span.Events("circuit_breaker.transition"), Is.Empty, "Isolate() belongs to no call");
    }
}
