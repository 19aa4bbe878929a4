using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>Calls that have already failed, reported as gRPC does: through the call's tasks or stream, never a synchronous throw.</summary>
/// <remarks>
/// On an open breaker's rejection path, so it allocates little: the error is the call's state (no closures), headers
/// are made only when asked for, and each task is born faulted and marked observed (<see cref="TaskFaults"/>).
/// </remarks>
internal static class FailedCall
{
    // Every call kind reads its headers, status and trailers from the error it carries as its state.
    private static readonly Func<object, Task<Metadata>> HeadersOf = static state => Failed<Metadata>((RpcException)state);
    private static readonly Func<object, Status> StatusOf = static state => ((RpcException)state).Status;
    private static readonly Func<object, Metadata> TrailersOf = static state => ((RpcException)state).Trailers;
    private static readonly Action<object> Nothing = static _ => { };

    public static AsyncUnaryCall<TResponse> Unary<TResponse>(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new AsyncUnaryCall<TResponse>(
            Failed<TResponse>(error), HeadersOf, StatusOf, TrailersOf, Nothing, error);
    }

    public static AsyncServerStreamingCall<TResponse> ServerStreaming<TResponse>(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new AsyncServerStreamingCall<TResponse>(
            new FailedStreamReader<TResponse>(error), HeadersOf, StatusOf, TrailersOf, Nothing, error);
    }

    public static AsyncClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            new FailedStreamWriter<TRequest>(error), Failed<TResponse>(error), HeadersOf, StatusOf, TrailersOf, Nothing, error);
    }

    public static AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(RpcException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            new FailedStreamWriter<TRequest>(error), new FailedStreamReader<TResponse>(error), HeadersOf, StatusOf, TrailersOf, Nothing, error);
    }

    /// <summary>A task faulted with <paramref name="error"/>, already marked observed.</summary>
    private static Task<T> Failed<T>(RpcException error)
    {
        var failed = Task.FromException<T>(error);
        TaskFaults.ObserveEnded(failed);
        return failed;
    }

    private sealed class FailedStreamReader<T>(RpcException error) : IAsyncStreamReader<T>
    {
        public T Current => throw new InvalidOperationException("The call failed before any message was received.");

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromException<bool>(error);
    }

    private sealed class FailedStreamWriter<T>(RpcException error) : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message) => Task.FromException(error);

        public Task CompleteAsync() => Task.FromException(error);
    }
}

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
