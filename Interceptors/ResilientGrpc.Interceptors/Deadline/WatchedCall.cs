using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>A stream under a <see cref="StreamWatch"/>: tells it what it sees, shows an expiry as DEADLINE_EXCEEDED; each subclass is its call object's state, and passes its trailers through unchanged.</summary>
internal abstract class WatchedCall(StreamWatch watch)
{
    protected static readonly Func<object, Task<Metadata>> HeadersOfCall = static s => ((WatchedCall)s).Headers();

    protected static readonly Func<object, Status> StatusOfCall = static s => ((WatchedCall)s).Status();

    protected static readonly Action<object> DisposeCall = static s => ((WatchedCall)s).Dispose();

    private Task<Metadata>? headers;

    protected StreamWatch Watch { get; } = watch;

    protected abstract Task<Metadata> InnerHeaders { get; }

    protected abstract Status InnerStatus();

    protected abstract void InnerDispose();

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

/// <summary>A stream kind (<typeparamref name="TCall"/>) whose limits a <see cref="StreamWatch"/> enforces.</summary>
internal interface IWatchedKind<TCall>
    where TCall : class
{
    /// <summary>Whether the caller writes a request stream: the first-response limit then starts when it completes.</summary>
    static abstract bool ClientStreaming { get; }

    static abstract TCall Wrap(TCall call, StreamWatch watch);
}

internal sealed class WatchedServerStreamingCall<TResponse>(AsyncServerStreamingCall<TResponse> inner, StreamWatch watch)
    : WatchedCall(watch), IAsyncStreamReader<TResponse>, IWatchedKind<AsyncServerStreamingCall<TResponse>>
{
    private readonly AsyncServerStreamingCall<TResponse> inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    protected override Task<Metadata> InnerHeaders => inner.ResponseHeadersAsync;

    public static bool ClientStreaming => false;

    public static AsyncServerStreamingCall<TResponse> Wrap(AsyncServerStreamingCall<TResponse> inner, StreamWatch watch)
    {
        watch.Start(inner.ResponseHeadersAsync);
        var watched = new WatchedServerStreamingCall<TResponse>(inner, watch);
        return new AsyncServerStreamingCall<TResponse>(
            watched, HeadersOfCall, StatusOfCall, static s => ((WatchedServerStreamingCall<TResponse>)s).inner.GetTrailers(), DisposeCall, watched);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ReadAsync(inner.ResponseStream, cancellationToken);

    protected override Status InnerStatus() => inner.GetStatus();

    protected override void InnerDispose() => inner.Dispose();
}

internal sealed class WatchedDuplexStreamingCall<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> inner, StreamWatch watch)
    : WatchedCall(watch), IAsyncStreamReader<TResponse>, IWatchedKind<AsyncDuplexStreamingCall<TRequest, TResponse>>
{
    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    protected override Task<Metadata> InnerHeaders => inner.ResponseHeadersAsync;

    public static bool ClientStreaming => false;

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Wrap(AsyncDuplexStreamingCall<TRequest, TResponse> inner, StreamWatch watch)
    {
        watch.Start(inner.ResponseHeadersAsync);
        var watched = new WatchedDuplexStreamingCall<TRequest, TResponse>(inner, watch);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            new WatchedRequestStream<TRequest>(inner.RequestStream, watch),
            watched,
            HeadersOfCall,
            StatusOfCall,
            static s => ((WatchedDuplexStreamingCall<TRequest, TResponse>)s).inner.GetTrailers(),
            DisposeCall,
            watched);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ReadAsync(inner.ResponseStream, cancellationToken);

    protected override Status InnerStatus() => inner.GetStatus();

    protected override void InnerDispose() => inner.Dispose();
}

internal sealed class WatchedClientStreamingCall<TRequest, TResponse> : WatchedCall, IWatchedKind<AsyncClientStreamingCall<TRequest, TResponse>>
{
    private readonly AsyncClientStreamingCall<TRequest, TResponse> inner;
    private readonly Task<TResponse> response;

    private WatchedClientStreamingCall(AsyncClientStreamingCall<TRequest, TResponse> inner, StreamWatch watch)
        : base(watch)
    {
        this.inner = inner;
        response = ResponseAsync(inner.ResponseAsync);
    }

    protected override Task<Metadata> InnerHeaders => inner.ResponseHeadersAsync;

    public static bool ClientStreaming => true;

    public static AsyncClientStreamingCall<TRequest, TResponse> Wrap(AsyncClientStreamingCall<TRequest, TResponse> inner, StreamWatch watch)
    {
        watch.Start(inner.ResponseHeadersAsync);
        var watched = new WatchedClientStreamingCall<TRequest, TResponse>(inner, watch);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            new WatchedRequestStream<TRequest>(inner.RequestStream, watch),
            watched.response,
            HeadersOfCall,
            StatusOfCall,
            static s => ((WatchedClientStreamingCall<TRequest, TResponse>)s).inner.GetTrailers(),
            DisposeCall,
            watched);
    }

    protected override Status InnerStatus() => inner.GetStatus();

    protected override void InnerDispose()
    {
        inner.Dispose();

        // A caller that disposes without awaiting the response never observes its error.
        TaskFaults.Observe(response);
    }
}
