using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>The test double must behave like a channel, or every test built on it proves nothing.</summary>
public sealed class ScriptedCallInvokerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task AsyncUnaryCall_HangPastDeadline_FailsWithDeadlineExceededOnFakeTime()
    {
        var time = new FakeTimeProvider();
        var invoker = new ScriptedCallInvoker(time) { Unary = ScriptedCallInvoker.Hang() };
        var client = new UnstableService.UnstableServiceClient(invoker);

        var call = client.ProcessAsync(new ProcessRequest(), deadline: time.GetUtcNow().UtcDateTime.AddSeconds(2));
        time.Pass(TimeSpan.FromSeconds(1.9));
        Assert.That(call.ResponseAsync.IsCompleted, Is.False);
        time.Pass(TimeSpan.FromSeconds(0.1));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.WaitAsync(Bound));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
    }

    [Test]
    public async Task AsyncServerStreamingCall_ScriptedMessages_AreReadInOrder()
    {
        var invoker = new ScriptedCallInvoker
        {
            Stream = static (_, _) => Events(3),
        };
        var client = new UnstableService.UnstableServiceClient(invoker);

        using var call = client.Subscribe(new SubscribeRequest { Count = 3 });
        var received = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound))
        {
            received.Add(call.ResponseStream.Current.Sequence);
        }

        Assert.That(received, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
        Assert.That(invoker.Count, Is.EqualTo(1));
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
