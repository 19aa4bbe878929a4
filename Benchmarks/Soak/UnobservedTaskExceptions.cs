namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>
/// Records every <see cref="TaskScheduler.UnobservedTaskException"/> while it lives: a faulted task nobody looked at,
/// reported by the finalizer when the task is collected (the soak's collections each minute make them surface).
/// </summary>
internal sealed class UnobservedTaskExceptions : IDisposable
{
    /// <summary>How many of them are kept for the report.</summary>
    public const int Kept = 5;

    private readonly Lock firstLock = new();
    private readonly List<string> first = [];
    private long count;

    /// <summary>Starts recording.</summary>
    public UnobservedTaskExceptions() => TaskScheduler.UnobservedTaskException += OnUnobserved;

    /// <summary>Gets how many were raised.</summary>
    public long Count => Interlocked.Read(ref count);

    /// <summary>Gets the first <see cref="Kept"/>: the type and message of each inner exception.</summary>
    public IReadOnlyList<string> First
    {
        get
        {
            lock (firstLock)
            {
                return [.. first];
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
    {
        _ = Interlocked.Increment(ref count);
        var text = string.Join("; ", e.Exception.InnerExceptions.Select(x => $"{x.GetType().FullName}: {x.Message}"));
        lock (firstLock)
        {
            if (first.Count < Kept)
            {
                first.Add(text);
            }
        }
    }
}
