using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>A server-streaming call under a <see cref="StreamWatch"/>; its own response stream reader.</summary>
internal sealed class WatchedServerStreamingCall<TResponse> : WatchedCall, IAsyncStreamReader<TResponse>, IWatchedKind<AsyncServerStreamingCall<TResponse>>
{
    private readonly AsyncServerStreamingCall<TResponse> inner;

    private WatchedServerStreamingCall(AsyncServerStreamingCall<TResponse> inner, StreamWatch watch)
        : base(watch) => this.inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    protected override Task<Metadata> InnerHeaders => inner.ResponseHeadersAsync;

    public static bool ClientStreaming => false;

    public static AsyncServerStreamingCall<TResponse> Wrap(AsyncServerStreamingCall<TResponse> inner, StreamWatch watch)
    {
        watch.Start(inner.ResponseHeadersAsync);
        var watched = new WatchedServerStreamingCall<TResponse>(inner, watch);
        return new AsyncServerStreamingCall<TResponse>(watched, HeadersOfCall, StatusOfCall, TrailersOfCall, DisposeCall, watched);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ReadAsync(inner.ResponseStream, cancellationToken);

    protected override Status InnerStatus() => inner.GetStatus();

    protected override Metadata InnerTrailers() => inner.GetTrailers();

    protected override void InnerDispose() => inner.Dispose();
}
