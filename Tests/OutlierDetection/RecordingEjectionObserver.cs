using System.Collections.Concurrent;
using ResilientGrpc.Interceptors.OutlierDetection;

namespace ResilientGrpc.Tests.OutlierDetection;

/// <summary>Keeps every decision the detector reports, as one line each.</summary>
internal sealed class RecordingEjectionObserver : IEjectionObserver
{
    private readonly ConcurrentQueue<string> events = new();

    public IReadOnlyList<string> Events => [.. events];

    public void Ejected(string endpoint, EjectionReason reason, TimeSpan duration, int failures) =>
        events.Enqueue($"ejected {endpoint} {reason} {duration.TotalSeconds:0}s after {failures}");

    public void NotEnforced(string endpoint, EjectionReason reason, int failures, int outCount, int total) =>
        events.Enqueue($"not enforced {endpoint} {reason} after {failures}");

    public void Returned(string endpoint, TimeSpan ejectedFor) =>
        events.Enqueue($"returned {endpoint} after {ejectedFor.TotalSeconds:0}s");
}
