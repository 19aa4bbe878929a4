using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>A duplex call under a <see cref="StreamWatch"/>; its own response stream reader.</summary>
internal sealed class WatchedDuplexStreamingCall<TRequest, TResponse> : WatchedCall, IAsyncStreamReader<TResponse>, IWatchedKind<AsyncDuplexStreamingCall<TRequest, TResponse>>
{
    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> inner;

    private WatchedDuplexStreamingCall(AsyncDuplexStreamingCall<TRequest, TResponse> inner, StreamWatch watch)
        : base(watch) => this.inner = inner;

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
            TrailersOfCall,
            DisposeCall,
            watched);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ReadAsync(inner.ResponseStream, cancellationToken);

    protected override Status InnerStatus() => inner.GetStatus();

    protected override Metadata InnerTrailers() => inner.GetTrailers();

    protected override void InnerDispose() => inner.Dispose();
}
