namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// Marks the fault of a task its caller may never await observed, kept from <see cref="TaskScheduler.UnobservedTaskException"/>
/// as grpc-dotnet does for its calls' tasks; a caller who awaits still gets the exception.
/// </summary>
internal static class TaskFaults
{
    /// <summary>Marks the fault of an ended task observed, without allocating; does nothing for any other task.</summary>
    public static void ObserveEnded(Task task)
    {
        if (task.IsFaulted)
        {
            // Unlike reading Task.Exception, this allocates no AggregateException; it also spares the finalizer.
            task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        }
    }

    /// <summary>Marks the fault of <paramref name="task"/> observed: now if it has ended (allocation-free), else when it fails.</summary>
    public static void Observe(Task task)
    {
        if (task.IsCompleted)
        {
            ObserveEnded(task);
            return;
        }

        _ = task.ContinueWith(
            static ended => ObserveEnded(ended),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Observes <paramref name="task"/> as <see cref="Observe"/> does and returns it, for tasks made on demand.</summary>
    public static Task<T> Observed<T>(Task<T> task)
    {
        Observe(task);
        return task;
    }
}
