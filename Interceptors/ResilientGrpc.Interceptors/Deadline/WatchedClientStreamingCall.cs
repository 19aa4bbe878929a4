using Grpc.Core;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>A client-streaming call under a <see cref="StreamWatch"/>, which its response settles.</summary>
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
            TrailersOfCall,
            DisposeCall,
            watched);
    }

    protected override Status InnerStatus() => inner.GetStatus();

    protected override Metadata InnerTrailers() => inner.GetTrailers();

    protected override void InnerDispose()
    {
        inner.Dispose();

        // A caller that disposes without awaiting the response never observes its error.
        TaskFaults.Observe(response);
    }
}
