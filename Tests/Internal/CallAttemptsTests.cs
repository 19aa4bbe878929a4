using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Telemetry;

namespace ResilientGrpc.Tests.Internal;

/// <summary>
/// The contract between a layer that sends several attempts for one call and the layers below it
/// (<see cref="CallAttempts"/>): what a layer below may learn of the call, and when.
/// </summary>
public sealed class CallAttemptsTests
{
    private static readonly Method<string, string> Get = new(MethodType.Unary, "svc", "Get", Marshallers.StringMarshaller, Marshallers.StringMarshaller);

    [Test]
    public void NoOwner_TheAttemptIsTheCall()
    {
        var call = NewCall();

        Assert.That(call.MaxAttempts, Is.Zero);
        Assert.That(call.IsFinalAttempt, Is.True, "no attempt can follow");
        Assert.That(call.TryWatchAttempt(new Watcher(), token: 1), Is.False, "nobody reports the end: a layer observes the attempt itself");
    }

    [Test]
    public void OwnerOfOneAttempt_ItsAttemptIsFinal()
    {
        var call = NewCall();

        call.DeclareAttempts(1, AttemptsReport.Sequential);

        Assert.That(call.IsFinalAttempt, Is.True, "its failure is the call's");
    }

    [Test]
    public void OwnerOfSeveralAttempts_NotFinalUntilItCommits()
    {
        var call = NewCall();
        call.DeclareAttempts(3, AttemptsReport.Sequential);

        Assert.That(call.MaxAttempts, Is.EqualTo(3));
        Assert.That(call.IsFinalAttempt, Is.False, "a retry may still rescue the call");
        call.Commit();
        Assert.That(call.IsFinalAttempt, Is.True, "committed: no attempt follows");
    }

    [Test]
    public void SequentialOwner_UpToThreeLayersWatch_EachHearsTheEndOnceWithItsToken()
    {
        var call = NewCall();
        call.DeclareAttempts(3, AttemptsReport.Sequential);
        var watchers = new[] { new Watcher(), new Watcher(), new Watcher(), new Watcher() };

        var claimed = watchers.Select((w, i) => call.TryWatchAttempt(w, token: 10 + i)).ToArray();
        var error = new RpcException(new Status(StatusCode.Unavailable, "down"));
        call.AttemptEnded(error, CancellationToken.None);
        call.AttemptEnded(error: null, CancellationToken.None);

        Assert.That(claimed, Is.EqualTo(new[] { true, true, true, false }), "three slots; a fourth layer observes the attempt itself");
        Assert.That(watchers.Take(3).Select(w => w.Heard.Single()), Is.EqualTo(new[] { (10L, (Exception?)error), (11L, error), (12L, error) }));
        Assert.That(watchers[3].Heard, Is.Empty);
    }

    [Test]
    public void OwnerThatReportsNoEnds_NoLayerWatches()
    {
        var call = NewCall();
        call.DeclareAttempts(3, AttemptsReport.None);

        Assert.That(call.TryWatchAttempt(new Watcher(), token: 1), Is.False);
    }

    [Test]
    public void Overlap_LaterAttemptsAreNotWatched_TheWatchedOneIsStillReported()
    {
        var call = NewCall();
        call.DeclareAttempts(3, AttemptsReport.Sequential);
        var first = new Watcher();
        Assert.That(call.TryWatchAttempt(first, token: 1), Is.True);

        call.Overlap();

        Assert.That(call.TryWatchAttempt(new Watcher(), token: 2), Is.False, "a hedge overlaps the first attempt: its layers observe it");
        call.AttemptEnded(error: null, CancellationToken.None);
        Assert.That(first.Heard, Has.Count.EqualTo(1), "the first attempt's end is still reported to the layer watching it");
    }

    [Test]
    public void StampCallStart_TheFirstStampIsEveryAttemptsStart()
    {
        var call = NewCall();

        Assert.That(call.StampCallStart(100), Is.EqualTo(100));
        Assert.That(call.StampCallStart(250), Is.EqualTo(100), "a later attempt carries the call's start, not its own");
    }

    [Test]
    public void DeferredFailure_CallFails_TheListenerHearsOnce()
    {
        var call = NewCall();
        call.DeclareAttempts(3, AttemptsReport.Sequential);
        call.StampCallStart(100);
        var listener = new Listener();

        call.DeferFailure(listener, generation: 7);
        call.CallFailed();
        call.CallFailed();

        Assert.That(listener.Heard, Is.EqualTo(new[] { (7, 100L) }));
    }

    [Test]
    public void DeferredFailure_ClearedByALaterAttempt_TheCallsFailureIsNotCounted()
    {
        var call = NewCall();
        call.DeclareAttempts(3, AttemptsReport.Sequential);
        var listener = new Listener();

        call.DeferFailure(listener, generation: 1);
        call.ClearDeferredFailure();
        call.CallFailed();

        Assert.That(listener.Heard, Is.Empty, "an attempt after the failed one ended in a way that does not count");
    }

    private static RecordedCallContext NewCall()
    {
        var context = new ClientInterceptorContext<string, string>(Get, host: null, new CallOptions());
        return RecordedCallContext.Create(ref context, new FakeTimeProvider(), target: "test", span: null);
    }

    private sealed class Watcher : IAttemptWatcher
    {
        public List<(long Token, Exception? Error)> Heard { get; } = [];

        public void OnAttemptEnded(CallAttempts call, long token, Exception? error, CancellationToken callerToken) => Heard.Add((token, error));
    }

    private sealed class Listener : ICallFailureListener
    {
        public List<(int Generation, long CallStart)> Heard { get; } = [];

        public void OnCallFailed(int generation, long callStart) => Heard.Add((generation, callStart));
    }
}
