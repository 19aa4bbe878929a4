using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>Calls that have already failed, reported through their tasks or stream as gRPC does; on an open breaker's path, so allocation-light.</summary>
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

/// <summary>Marks the faults of tasks a caller may never await observed (kept from <see cref="TaskScheduler.UnobservedTaskException"/>).</summary>
internal static class TaskFaults
{
    public static void ObserveEnded(Task task)
    {
        if (task.IsFaulted)
        {
            // Unlike reading Task.Exception, this allocates no AggregateException; it also spares the finalizer.
            task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        }
    }

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

    public static Task<T> Observed<T>(Task<T> task)
    {
        Observe(task);
        return task;
    }
}
