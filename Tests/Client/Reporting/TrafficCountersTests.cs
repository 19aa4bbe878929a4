using Grpc.Core;
using ResilientGrpc.Client.Calls;
using ResilientGrpc.Client.Reporting;

namespace ResilientGrpc.Tests.Client.Reporting;

public sealed class TrafficCountersTests
{
    [Test]
    public void CallCompleted_EachOutcome_IsCountedOnceInItsColumn()
    {
        var counters = new TrafficCounters();

        counters.CallCompleted(new CallOutcome(StatusCode.OK, false, TimeSpan.Zero));
        counters.CallCompleted(new CallOutcome(StatusCode.Unavailable, false, TimeSpan.Zero));
        counters.CallCompleted(new CallOutcome(StatusCode.Unavailable, true, TimeSpan.Zero));
        counters.CallCompleted(new CallOutcome(StatusCode.DeadlineExceeded, false, TimeSpan.Zero));
        counters.RetriesReported(2);
        counters.AttemptsReported(6);
        counters.RejectionsReported(1);
        counters.HedgesReported(3);
        counters.HedgesCancelledReported(2);
        var snapshot = counters.Snapshot();

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Calls, Is.EqualTo(4));
            Assert.That(snapshot.Succeeded, Is.EqualTo(1));
            Assert.That(snapshot.Rejected, Is.EqualTo(1));
            Assert.That(snapshot.FailuresWith(StatusCode.Unavailable), Is.EqualTo(1));
            Assert.That(snapshot.DeadlineExceeded, Is.EqualTo(1));
            Assert.That(snapshot.Failed, Is.EqualTo(2));
            Assert.That(snapshot.Retries, Is.EqualTo(2));
            Assert.That(snapshot.Attempts, Is.EqualTo(6));
            Assert.That(snapshot.BreakerRejections, Is.EqualTo(1));
            Assert.That(snapshot.Hedges, Is.EqualTo(3));
            Assert.That(snapshot.HedgesCancelled, Is.EqualTo(2));
        });
    }

    [Test]
    public void Subtract_TwoSnapshots_GivesWhatHappenedBetweenThem()
    {
        var counters = new TrafficCounters();
        counters.CallCompleted(new CallOutcome(StatusCode.Unavailable, false, TimeSpan.Zero));
        counters.RetriesReported(2);
        var before = counters.Snapshot();
        counters.CallCompleted(new CallOutcome(StatusCode.OK, false, TimeSpan.Zero));
        counters.CallCompleted(new CallOutcome(StatusCode.DeadlineExceeded, false, TimeSpan.Zero));
        counters.RetriesReported(1);
        counters.HedgesReported(2);
        counters.HedgesCancelledReported(1);

        var delta = counters.Snapshot() - before;

        Assert.Multiple(() =>
        {
            Assert.That(delta.Calls, Is.EqualTo(2));
            Assert.That(delta.Succeeded, Is.EqualTo(1));
            Assert.That(delta.Retries, Is.EqualTo(1));
            Assert.That(delta.Failures.Keys, Is.EqualTo(new[] { StatusCode.DeadlineExceeded }));
            Assert.That((delta.Hedges, delta.HedgesCancelled), Is.EqualTo((2L, 1L)));
            Assert.That((delta + delta).Hedges, Is.EqualTo(4));
            Assert.That((delta + before).Failed, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task CallCompleted_ManyThreads_LosesNothing()
    {
        var counters = new TrafficCounters();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                counters.CallCompleted(new CallOutcome(i % 2 == 0 ? StatusCode.OK : StatusCode.Unavailable, false, TimeSpan.Zero));
            }
        }))).WaitAsync(TimeSpan.FromSeconds(10));

        var snapshot = counters.Snapshot();
        Assert.Multiple(() =>
        {
            Assert.That(snapshot.Calls, Is.EqualTo(8000));
            Assert.That(snapshot.Succeeded, Is.EqualTo(4000));
            Assert.That(snapshot.FailuresWith(StatusCode.Unavailable), Is.EqualTo(4000));
        });
    }
}
