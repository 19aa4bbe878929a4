using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A duplex call whose outcome is the end of its response stream; its own stream reader.</summary>
internal sealed class ObservedDuplexStreamingCall<TRequest, TResponse, TObserver> : ObservedCall<TObserver>, IAsyncStreamReader<TResponse>
    where TObserver : struct, ICallObserver
{
    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> inner;

    private ObservedDuplexStreamingCall(AsyncDuplexStreamingCall<TRequest, TResponse> inner, TObserver observer)
        : base(observer) => this.inner = inner;

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
            static s => ((ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>)s).Dispose(),
            observed);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ObserveMoveNext(inner.ResponseStream, cancellationToken);

    private void Dispose()
    {
        Abandon();
        inner.Dispose();
    }
}
