using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// The operations of a watched stream, shared by every stream kind: each passes the operation to the call below,
/// tells the <see cref="StreamWatch"/> what it showed, and turns the CANCELLED an expiry caused into DEADLINE_EXCEEDED.
/// </summary>
internal static class StreamWatchOperations
{
    /// <summary>Reads the next response message: a message is an answer; the end of the stream or an error settles the call.</summary>
    public static Task<bool> ReadAsync<T>(this StreamWatch watch, IAsyncStreamReader<T> reader, CancellationToken cancellationToken)
    {
        var next = reader.MoveNext(cancellationToken);
        if (next.IsCompletedSuccessfully && next.Result)
        {
            // Reading a message that is already buffered stays allocation-free.
            watch.Received();
            return next;
        }

        return ReadAsync(watch, next);
    }

    /// <summary>Awaits the response headers, which are an answer.</summary>
    public static async Task<Metadata> HeadersAsync(this StreamWatch watch, Task<Metadata> headers)
    {
        try
        {
            var received = await headers.ConfigureAwait(false);
            watch.Responded();
            return received;
        }
        catch (Exception error) when (watch.IsExpiry(error))
        {
            throw new RpcException(watch.ExpiredStatus(error));
        }
    }

    /// <summary>Awaits the response of a client-streaming call, which settles it.</summary>
    public static async Task<TResponse> ResponseAsync<TResponse>(this StreamWatch watch, Task<TResponse> response)
    {
        try
        {
            var result = await response.ConfigureAwait(false);
            watch.Settle();
            return result;
        }
        catch (Exception error)
        {
            watch.Settle(error);
            if (watch.IsExpiry(error))
            {
                throw new RpcException(watch.ExpiredStatus(error));
            }

            throw;
        }
    }

    /// <summary>Passes on a write of a request message; once it has completed, the message counts as activity.</summary>
    public static Task Written(this StreamWatch watch, Task write)
    {
        if (write.IsCompletedSuccessfully)
        {
            watch.Wrote();
            return write;
        }

        return SentAsync(watch, write, isMessage: true);
    }

    /// <summary>Passes on the completion of the request stream, where a client-streaming call's wait for its answer begins.</summary>
    public static Task Completed(this StreamWatch watch, Task complete)
    {
        if (!complete.IsFaulted)
        {
            watch.RequestCompleted();
        }

        return complete.IsCompletedSuccessfully ? complete : SentAsync(watch, complete, isMessage: false);
    }

    /// <summary>What a write or completion returns once a limit has passed: the call is over.</summary>
    public static Task Refused(this StreamWatch watch) => Task.FromException(new RpcException(watch.ExpiredStatus()));

    /// <summary>
    /// Marks a fault of <paramref name="task"/> observed, for a task the caller may never await because it disposed
    /// the call: no unobserved task exception is left behind.
    /// </summary>
    public static void ObserveFault(Task task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private static async Task<bool> ReadAsync(StreamWatch watch, Task<bool> next)
    {
        try
        {
            var more = await next.ConfigureAwait(false);
            if (more)
            {
                watch.Received();
            }
            else
            {
                watch.Settle();
            }

            return more;
        }
        catch (Exception error) when (error is RpcException or OperationCanceledException)
        {
            // The call has ended (other errors, such as a read while another is pending, leave it running).
            watch.Settle(error);
            if (watch.IsExpiry(error))
            {
                throw new RpcException(watch.ExpiredStatus(error));
            }

            throw;
        }
    }

    private static async Task SentAsync(StreamWatch watch, Task write, bool isMessage)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception error) when (watch.IsExpiry(error))
        {
            throw new RpcException(watch.ExpiredStatus(error));
        }

        if (isMessage)
        {
            watch.Wrote();
        }
    }
}
