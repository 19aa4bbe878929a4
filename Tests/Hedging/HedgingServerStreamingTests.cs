using System.Runtime.CompilerServices;
using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>A hedged server stream commits to the first attempt that delivers a message (or ends); later errors are the caller's.</summary>
public sealed class HedgingServerStreamingTests : HedgingTestBase
{
    private const string Subscribe = "/unstable.v1.UnstableService/Subscribe";

    [Test]
    public async Task Subscribe_FirstHangs_SecondHedgeCommitsOnItsFirstMessageAndStreamsToTheEnd()
    {
        Network.Stream = (arrival, token) => Events(arrival.Number == 1 ? 0 : 3, hang: arrival.Number == 1, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var reading = ReadAll(call);
        Advance(199);
        Assert.That(Network.Count, Is.EqualTo(1), "no hedge before the delay");
        Advance(1);
        var sequences = await reading.WaitAsync(Bound);

        Assert.That(sequences, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(Network.Count, Is.EqualTo(2));
        Assert.That(Network.Arrivals[0].IsDisposed, Is.True, "the hanging attempt is cancelled");
        Assert.That(Network.Arrivals[1].Header("grpc-previous-rpc-attempts"), Is.EqualTo("1"));
        Assert.That(call.GetStatus().StatusCode, Is.EqualTo(StatusCode.OK));
    }

    [Test]
    public async Task Subscribe_FirstUnavailableBeforeAnyMessage_HedgesAtOnce()
    {
        Network.Stream = (arrival, token) => arrival.Number == 1 ? Fails(StatusCode.Unavailable, afterMessages: 0, token) : Events(2, hang: false, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        var sequences = await ReadAll(call).WaitAsync(Bound);

        Assert.That(sequences, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(Network.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task Subscribe_FailsAfterItsFirstMessage_TheErrorReachesTheCallerAndNoHedgeFollows()
    {
        Network.Stream = (_, token) => Fails(StatusCode.Unavailable, afterMessages: 1, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        using var call = client.Subscribe(new SubscribeRequest());
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound), Is.True);
        Assert.That(call.ResponseStream.Current.Sequence, Is.EqualTo(1));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(Network.Count, Is.EqualTo(1), "a stream the caller has read from is never replayed");
    }

    [Test]
    public async Task Subscribe_CallerDisposesBeforeAnyMessage_CancelsEveryAttempt()
    {
        Network.Stream = (_, token) => Events(0, hang: true, token);
        var client = Client(new HedgingOptions { HedgedMethods = { Subscribe } });

        var call = client.Subscribe(new SubscribeRequest());
        Advance(200);
        await Until(() => Network.Count == 2);
        call.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Bound));
        Advance(1000);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(Network.Count, Is.EqualTo(2));
        await Until(() => Network.Arrivals.All(a => a.IsDisposed));
    }

    private static async Task<List<int>> ReadAll(AsyncServerStreamingCall<Event> call)
    {
        var sequences = new List<int>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            sequences.Add(call.ResponseStream.Current.Sequence);
        }

        return sequences;
    }

    private static async IAsyncEnumerable<object> Events(int count, bool hang, [EnumeratorCancellation] CancellationToken token)
    {
        if (hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }

        for (var i = 1; i <= count; i++)
        {
            yield return new Event { Sequence = i };
        }
    }

    private static async IAsyncEnumerable<object> Fails(StatusCode code, int afterMessages, [EnumeratorCancellation] CancellationToken token)
    {
        for (var i = 1; i <= afterMessages; i++)
        {
            yield return new Event { Sequence = i };
        }

        await Task.Yield();
        token.ThrowIfCancellationRequested();
        throw new RpcException(new Status(code, "scripted"));
    }
}
