using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// Reports how one call ended to its observer exactly once, however often the caller awaits, reads or disposes. Each
/// subclass wraps a call kind and is the call object's state: one allocation per call, no closures.
/// </summary>
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
