using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Interceptors.CircuitBreaker;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker.Controller;

/// <summary>The sliding window behind ratio mode: ten buckets on injected time.</summary>
public sealed class RollingWindowTests
{
    [Test]
    public void Totals_WithinTheWindow_CountsEveryCall()
    {
        var time = new FakeTimeProvider();
        var window = new RollingWindow(TimeSpan.FromSeconds(10), time);

        for (var i = 0; i < 10; i++)
        {
            window.Record(failure: i % 2 == 0);
            time.Pass(TimeSpan.FromSeconds(0.9));
        }

        Assert.That(window.Totals(), Is.EqualTo((10, 5)));
    }

    [Test]
    public void Totals_BucketOlderThanTheWindow_IsDropped()
    {
        var time = new FakeTimeProvider();
        var window = new RollingWindow(TimeSpan.FromSeconds(10), time);
        window.Record(failure: true);
        time.Pass(TimeSpan.FromSeconds(5));
        window.Record(failure: false);

        time.Pass(TimeSpan.FromSeconds(5));

        Assert.That(window.Totals(), Is.EqualTo((1, 0)), "the first bucket expired, the second is still in");
        time.Pass(TimeSpan.FromSeconds(5));
        Assert.That(window.Totals(), Is.EqualTo((0, 0)));
    }

    [Test]
    public void Record_SlotReusedAfterAFullWindow_StartsAFreshBucket()
    {
        var time = new FakeTimeProvider();
        var window = new RollingWindow(TimeSpan.FromSeconds(10), time);
        window.Record(failure: true);

        time.Pass(TimeSpan.FromSeconds(10));
        window.Record(failure: false);

        Assert.That(window.Totals(), Is.EqualTo((1, 0)));
    }

    [Test]
    public void Clear_AfterRecords_EmptiesTheWindow()
    {
        var time = new FakeTimeProvider();
        var window = new RollingWindow(TimeSpan.FromSeconds(10), time);
        window.Record(failure: true);

        window.Clear();

        Assert.That(window.Totals(), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task Record_FromManyThreads_LosesNoCall()
    {
        var time = new FakeTimeProvider();
        var window = new RollingWindow(TimeSpan.FromSeconds(10), time);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                window.Record(failure: worker % 2 == 0);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(window.Totals(), Is.EqualTo((8000, 4000)));
    }
}
