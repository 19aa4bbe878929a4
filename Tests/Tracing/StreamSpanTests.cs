using System.Diagnostics;
using Grpc.Core;
using ResilientGrpc.Protos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>A server stream is one span too: retried attempts start under it, and it ends when the stream ends.</summary>
public sealed class StreamSpanTests : TracingTestBase
{
    [TestCaseSource(nameof(Paths))]
    public async Task FailsBeforeFirstMessageThenStreams_AttemptsUnderOneSpanEndedAtTheEnd(string path)
    {
        using var spans = new SpanCollector();
        var probe = new ActivityProbe();
        Network.Stream = (arrival, _) => arrival.Number == 1 ? Fail(StatusCode.Unavailable) : Events(2);
        var client = Stack(path, below: probe);

        using var call = client.Subscribe(new SubscribeRequest { Count = 2 });
        Assert.That(Activity.Current, Is.SameAs(spans.Root));
        var read = Task.Run(async () =>
        {
            var count = 0;
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                count++;
            }

            return count;
        });
        for (var step = 0; step < 40 && !read.IsCompleted; step++)
        {
            // The 1 s backoff, in steps: the deadline's first-response timer is on the same clock.
            await Task.Delay(5);
            Time.Pass(TimeSpan.FromMilliseconds(100));
        }

        Assert.That(await read.WaitAsync(Bound), Is.EqualTo(2));
        var span = (await spans.Ended(1))[0];
        Assert.That(span.DisplayName, Is.EqualTo("unstable.v1.UnstableService/Subscribe"));
        Assert.That(probe.Seen, Has.Count.EqualTo(2));
        Assert.That(probe.Seen, Is.All.SameAs(span), "the retry started from the caller's read is under the span too");
        Assert.That(span.Events("retry.scheduled"), Has.Count.EqualTo(1));
        Assert.That(span.GetTagItem("grpc.status"), Is.EqualTo("OK"));
    }

    [TestCaseSource(nameof(Paths))]
    public async Task AlwaysUnavailable_LastFailedAttemptOpensCircuit_TransitionOnTheStreamsSpan(string path)
    {
        using var spans = new SpanCollector();
        Network.Stream = (_, _) => Fail(StatusCode.Unavailable);
        var client = Stack(path, failureThreshold: 1);

        using var call = client.Subscribe(new SubscribeRequest { Count = 2 });
        var read = Task.Run(async () => await call.ResponseStream.MoveNext(CancellationToken.None));
        for (var step = 0; step < 60 && !read.IsCompleted; step++)
        {
            await Task.Delay(5);
            Time.Pass(TimeSpan.FromMilliseconds(100));
        }

        await Assert.CatchAsync<RpcException>(() => read.WaitAsync(Bound));
        var span = (await spans.Ended(1))[0];
        Assert.That(Network.Count, Is.EqualTo(3));
        Assert.That(span.Events("retry.scheduled"), Has.Count.EqualTo(2));
        Assert.That(
            span.Events("circuit_breaker.transition").Select(e => $"{e.Tag("from")}->{e.Tag("to")}"),
            Is.EqualTo(new[] { "closed->open" }),
            "the attempt that ended in the caller's read opened the circuit");
    }

    [TestCaseSource(nameof(Paths))]
    public async Task FailsAfterCommit_ReadByCallerOpensCircuit_TransitionOnTheStreamsSpan(string path)
    {
        using var spans = new SpanCollector();
        Network.Stream = (_, _) => EventsThenFail(1, StatusCode.Unavailable);
        var client = Stack(path, failureThreshold: 1);
        using var call = client.Subscribe(new SubscribeRequest { Count = 2 });

        var read = Task.Run(async () =>
        {
            using var callers = new Activity("caller's read").Start();
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });

        await Assert.CatchAsync<RpcException>(() => read.WaitAsync(Bound));
        var span = (await spans.Ended(1))[0];
        Assert.That(Network.Count, Is.EqualTo(1), "committed: never retried");
        Assert.That(
            span.Events("circuit_breaker.transition").Select(e => $"{e.Tag("from")}->{e.Tag("to")}"),
            Is.EqualTo(new[] { "closed->open" }),
            "the failure read on the caller's thread opened the circuit: marked on the stream's span");
    }

    private static async IAsyncEnumerable<object> EventsThenFail(int count, StatusCode code)
    {
        await foreach (var message in Events(count))
        {
            yield return message;
        }

        throw new RpcException(new Status(code, "scripted"));
    }

    private static async IAsyncEnumerable<object> Fail(StatusCode code)
    {
        await Task.Yield();
        if (code != StatusCode.OK)
        {
            throw new RpcException(new Status(code, $"scripted {code}"));
        }

        yield break;
    }

    private static async IAsyncEnumerable<object> Events(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return new Event { Sequence = i };
        }
    }
}
