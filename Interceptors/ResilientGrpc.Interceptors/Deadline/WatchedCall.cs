using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// The watched call of every stream kind: passes each operation below, tells the <see cref="StreamWatch"/> what it saw,
/// and turns the CANCELLED an expiry caused into DEADLINE_EXCEEDED wherever the caller looks; disposal settles the watch.
/// Each subclass is the state of the call object it builds, so the delegates below are shared, not allocated per call.
/// </summary>
internal abstract class WatchedCall(StreamWatch watch)
{
    protected static readonly Func<object, Task<Metadata>> HeadersOfCall = static s => ((WatchedCall)s).Headers();

    protected static readonly Func<object, Status> StatusOfCall = static s => ((WatchedCall)s).Status();

    protected static readonly Func<object, Metadata> TrailersOfCall = static s => ((WatchedCall)s).InnerTrailers();

    protected static readonly Action<object> DisposeCall = static s => ((WatchedCall)s).Dispose();

    private Task<Metadata>? headers;

    protected StreamWatch Watch { get; } = watch;

    protected abstract Task<Metadata> InnerHeaders { get; }

    protected abstract Status InnerStatus();

    protected abstract Metadata InnerTrailers();

    protected abstract void InnerDispose();

    /// <summary>Reads the next response message: a message is an answer; the end of the stream or an error settles the call.</summary>
    protected Task<bool> ReadAsync<T>(IAsyncStreamReader<T> reader, CancellationToken cancellationToken)
    {
        var next = reader.MoveNext(cancellationToken);
        if (next.IsCompletedSuccessfully && next.Result)
        {
            // Reading a message that is already buffered stays allocation-free.
            Watch.Received();
            return next;
        }

        return ReadAsync(next);
    }

    /// <summary>Awaits the response of a client-streaming call, which settles it.</summary>
    protected async Task<TResponse> ResponseAsync<TResponse>(Task<TResponse> response)
    {
        try
        {
            var result = await response.ConfigureAwait(false);
            Watch.Settle();
            return result;
        }
        catch (Exception error)
        {
            Watch.Settle(error);
            if (Watch.IsExpiry(error))
            {
                throw Watch.Expiry(error);
            }

            throw;
        }
    }

    /// <summary>The headers as the caller sees them, one task however often it asks; received, they stop the first-response limit.</summary>
    private Task<Metadata> Headers()
    {
        var inner = InnerHeaders;
        if (!inner.IsCompletedSuccessfully)
        {
            return headers ??= HeadersAsync(inner);
        }

        Watch.Responded();
        return inner;
    }

    private async Task<Metadata> HeadersAsync(Task<Metadata> inner)
    {
        try
        {
            var received = await inner.ConfigureAwait(false);
            Watch.Responded();
            return received;
        }
        catch (Exception error) when (Watch.IsExpiry(error))
        {
            throw Watch.Expiry(error);
        }
    }

    private async Task<bool> ReadAsync(Task<bool> next)
    {
        try
        {
            var more = await next.ConfigureAwait(false);
            if (more)
            {
                Watch.Received();
            }
            else
            {
                Watch.Settle();
            }

            return more;
        }
        catch (Exception error) when (error is RpcException or OperationCanceledException)
        {
            // The call has ended (other errors, such as a read while another is pending, leave it running).
            Watch.Settle(error);
            if (Watch.IsExpiry(error))
            {
                throw Watch.Expiry(error);
            }

            throw;
        }
    }

    /// <summary>The call's status as the caller sees it: DEADLINE_EXCEEDED instead of the CANCELLED an expiry caused.</summary>
    private Status Status()
    {
        var status = InnerStatus();
        return Watch.Expired && status.StatusCode == StatusCode.Cancelled ? Watch.ExpiredStatus(cause: null) : status;
    }

    private void Dispose()
    {
        Watch.Settle();
        InnerDispose();
    }
}

/// <summary>A stream kind whose first-response and idle limits a <see cref="StreamWatch"/> enforces.</summary>
/// <typeparam name="TCall">The call object of that kind.</typeparam>
internal interface IWatchedKind<TCall>
    where TCall : class
{
    /// <summary>Whether the caller writes a request stream: the first-response limit then starts when it completes.</summary>
    static abstract bool ClientStreaming { get; }

    /// <summary>Wraps <paramref name="call"/> so <paramref name="watch"/> sees its traffic and its end.</summary>
    static abstract TCall Wrap(TCall call, StreamWatch watch);
}
