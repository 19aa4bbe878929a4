using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// Reports how one call ended to its observer exactly once, however often the caller awaits, reads the status
/// or disposes. Subclasses wrap each call kind and are also the state of the call object, so observing costs one
/// allocation per call and no closures.
/// </summary>
/// <remarks>
/// A stream read passed on is the caller's own, as grpc-dotnet's reads are: the wrapper awaits the read below it, the
/// caller the one it got. Response tasks are <see cref="ObservedResponseCall{TResponse, TObserver}"/>'s.
/// </remarks>
internal abstract class ObservedCall<TObserver>(TObserver observer)
    where TObserver : struct, ICallObserver
{
    private readonly TObserver observer = observer;
    private int reported;

    /// <summary>The call ended: <paramref name="error"/> null for success (status OK).</summary>
    protected void Complete(Exception? error, CancellationToken readToken = default)
    {
        if (Interlocked.Exchange(ref reported, 1) == 0)
        {
            observer.OnEnded(error, readToken);
        }
    }

    /// <summary>The caller disposed the call before its final status was known.</summary>
    protected void Abandon()
    {
        if (Interlocked.Exchange(ref reported, 1) == 0)
        {
            observer.OnAbandoned();
        }
    }

    /// <summary>Passes a stream read on; reports success at the end of the stream and the error if it fails.</summary>
    protected Task<bool> ObserveMoveNext<TResponse>(IAsyncStreamReader<TResponse> reader, CancellationToken readToken)
    {
        Task<bool> next;
        try
        {
            next = reader.MoveNext(readToken);
        }
        catch (Exception error)
        {
            Complete(error, readToken);
            throw;
        }

        // Reading a message that is already buffered stays allocation-free.
        return next.IsCompletedSuccessfully && next.Result ? next : ObserveMoveNextAsync(next, readToken);
    }

    private async Task<bool> ObserveMoveNextAsync(Task<bool> next, CancellationToken readToken)
    {
        try
        {
            var more = await next.ConfigureAwait(false);
            if (!more)
            {
                Complete(error: null);
            }

            return more;
        }
        catch (Exception error)
        {
            Complete(error, readToken);
            throw;
        }
    }
}
