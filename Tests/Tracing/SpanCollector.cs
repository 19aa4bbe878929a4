using System.Collections.Concurrent;
using System.Diagnostics;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>
/// An <see cref="ActivityListener"/> that samples everything of our source and of grpc-dotnet's
/// (<c>Grpc.Net.Client</c>), as an exporter would, and keeps what belongs to this test: every activity started and
/// stopped in the trace of <see cref="Root"/>, the test's own activity, current while it runs.
/// </summary>
internal sealed class SpanCollector : IDisposable
{
    public const string GrpcSource = "Grpc.Net.Client";

    private readonly ActivityListener listener;
    private readonly ConcurrentQueue<Activity> started = new();
    private readonly ConcurrentQueue<Activity> stopped = new();
    private readonly Activity? previous;

    public SpanCollector(bool root = true)
    {
        listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is ResilienceTelemetry.ActivitySourceName or GrpcSource,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a => Keep(started, a),
            ActivityStopped = a => Keep(stopped, a),
        };
        ActivitySource.AddActivityListener(listener);
        previous = Activity.Current;
        if (root)
        {
            Root = new Activity("test").Start();
        }
    }

    /// <summary>The test's activity: our spans are its children.</summary>
    public Activity? Root { get; }

    /// <summary>Our spans that ended, in the order they ended.</summary>
    public IReadOnlyList<Activity> Spans => [.. stopped.Where(a => a.Source.Name == ResilienceTelemetry.ActivitySourceName)];

    /// <summary>Our spans that started.</summary>
    public IReadOnlyList<Activity> Started => [.. started.Where(a => a.Source.Name == ResilienceTelemetry.ActivitySourceName)];

    /// <summary>grpc-dotnet's activities (one per attempt) that ended.</summary>
    public IReadOnlyList<Activity> GrpcActivities => [.. stopped.Where(a => a.Source.Name == GrpcSource)];

    /// <summary>The one span of ours that ended.</summary>
    public Activity Single()
    {
        Assert.That(Spans, Has.Count.EqualTo(1), "one span per logical call");
        return Spans[0];
    }

    /// <summary>Waits until <paramref name="count"/> of our spans have ended.</summary>
    public async Task<IReadOnlyList<Activity>> Ended(int count)
    {
        var watch = Stopwatch.StartNew();
        while (Spans.Count < count && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(1);
        }

        Assert.That(Spans, Has.Count.EqualTo(count), "spans ended");
        return Spans;
    }

    public void Dispose()
    {
        listener.Dispose();
        Root?.Stop();
        Activity.Current = previous;
    }

    private void Keep(ConcurrentQueue<Activity> into, Activity activity)
    {
        if (Root is null || activity.TraceId == Root.TraceId)
        {
            into.Enqueue(activity);
        }
    }
}
