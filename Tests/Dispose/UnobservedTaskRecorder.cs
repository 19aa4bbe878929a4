using System.Collections.Concurrent;
using Grpc.Core;

namespace ResilientGrpc.Tests.Dispose;

/// <summary>
/// Records the unobserved task exceptions that carry <see cref="Marker"/> (in the status detail or in the
/// <see cref="MarkerTrailer"/> trailer), so tasks other tests left behind never count. The handler is process-wide:
/// use it only from non-parallel tests.
/// </summary>
internal sealed class UnobservedTaskRecorder : IDisposable
{
    public const string MarkerTrailer = "test-marker";

    private readonly ConcurrentQueue<(Exception Error, string Task)> seen = new();

    public UnobservedTaskRecorder(string marker)
    {
        Marker = marker;

        // Finalize what earlier tests left, before listening.
        Collect();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    public string Marker { get; }

    /// <summary>The recorded exceptions, in the order their tasks were finalized.</summary>
    public IReadOnlyList<Exception> Seen => [.. seen.Select(s => s.Error)];

    /// <summary>Collects the garbage and runs its finalizers, which raise the unobserved task exceptions.</summary>
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>A readable list of what was recorded, for a failure message.</summary>
    public string Describe()
    {
        var seenNow = seen.ToArray();
        var lines = seenNow
            .GroupBy(s => $"{s.Task} with {s.Error.GetType().Name}: {(s.Error is RpcException rpc ? $"{rpc.StatusCode} \"{rpc.Status.Detail}\"" : s.Error.Message)}")
            .Select(g => $"{g.Count()} x {g.Key}");
        return $"{seenNow.Length} unobserved task exception(s): {string.Join("; ", lines)}";
    }

    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    /// <summary>The task that went unobserved: the async method that made it, or its type.</summary>
    private static string Describe(object? task)
    {
        var type = task?.GetType();
        var method = type?.GetGenericArguments().LastOrDefault(t => t.Name.Contains(">d__", StringComparison.Ordinal));
        return method is null
            ? $"a {type?.Name ?? "task"}"
            : $"{method.DeclaringType?.Name.Split('`')[0]}.{method.Name[1..method.Name.IndexOf('>', StringComparison.Ordinal)]}";
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        foreach (var error in e.Exception.InnerExceptions)
        {
            if (error is RpcException rpc
                && (rpc.Status.Detail.Contains(Marker, StringComparison.Ordinal) || rpc.Trailers.GetValue(MarkerTrailer) == Marker))
            {
                seen.Enqueue((error, Describe(sender)));
            }
        }
    }
}
