using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>Reports how one call ended to its observer exactly once; each subclass is its call object's state (one allocation, no closures).</summary>
internal abstract class ObservedCall<TObserver>(TObserver observer)
    where TObserver : struct, ICallObserver
{
    private readonly TObserver observer = observer;
    private int reported;

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

    /// <summary>The caller disposed of a stream: unless it ended first, it ends without an outcome; then the stream below is disposed.</summary>
    protected void AbandonStream(IDisposable inner)
    {
        Abandon();
        inner.Dispose();
    }

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

internal sealed class ObservedServerStreamingCall<TResponse, TObserver>(AsyncServerStreamingCall<TResponse> inner, TObserver observer)
    : ObservedCall<TObserver>(observer), IAsyncStreamReader<TResponse>
    where TObserver : struct, ICallObserver
{
    private readonly AsyncServerStreamingCall<TResponse> inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    public static AsyncServerStreamingCall<TResponse> Wrap(AsyncServerStreamingCall<TResponse> inner, TObserver observer)
    {
        var observed = new ObservedServerStreamingCall<TResponse, TObserver>(inner, observer);
        return new AsyncServerStreamingCall<TResponse>(
            observed,
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).inner.ResponseHeadersAsync,
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).inner.GetStatus(),
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).inner.GetTrailers(),
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).AbandonStream(((ObservedServerStreamingCall<TResponse, TObserver>)s).inner),
            observed);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ObserveMoveNext(inner.ResponseStream, cancellationToken);
}

internal sealed class ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>(AsyncDuplexStreamingCall<TRequest, TResponse> inner, TObserver observer)
    : ObservedCall<TObserver>(observer), IAsyncStreamReader<TResponse>
    where TObserver : struct, ICallObserver
{
    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Wrap(AsyncDuplexStreamingCall<TRequest, TResponse> inner, TObserver observer)
    {
        var observed = new ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>(inner, observer);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            inner.RequestStream,
            observed,
            static s => ((ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>)s).inner.ResponseHeadersAsync,
            static s => ((ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>)s).inner.GetStatus(),
            static s => ((ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>)s).inner.GetTrailers(),
            static s => ((ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>)s).AbandonStream(((ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>)s).inner),
            observed);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ObserveMoveNext(inner.ResponseStream, cancellationToken);
}

/// <summary>Learns how one call ended; small structs held inline by the observed-call wrappers, so it costs no allocation.</summary>
internal interface ICallObserver
{
    /// <summary>The call ended (<paramref name="error"/> null: OK); <paramref name="readToken"/> is that of the read that saw it, if any.</summary>
    void OnEnded(Exception? error, CancellationToken readToken);

    void OnAbandoned();
}
