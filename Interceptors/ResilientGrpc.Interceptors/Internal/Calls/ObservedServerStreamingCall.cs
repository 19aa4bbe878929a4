using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A server-streaming call whose outcome is the end of its response stream; its own stream reader.</summary>
internal sealed class ObservedServerStreamingCall<TResponse, TObserver> : ObservedCall<TObserver>, IAsyncStreamReader<TResponse>
    where TObserver : struct, ICallObserver
{
    private readonly AsyncServerStreamingCall<TResponse> inner;

    private ObservedServerStreamingCall(AsyncServerStreamingCall<TResponse> inner, TObserver observer)
        : base(observer) => this.inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    public static AsyncServerStreamingCall<TResponse> Wrap(AsyncServerStreamingCall<TResponse> inner, TObserver observer)
    {
        var observed = new ObservedServerStreamingCall<TResponse, TObserver>(inner, observer);
        return new AsyncServerStreamingCall<TResponse>(
            observed,
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).inner.ResponseHeadersAsync,
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).inner.GetStatus(),
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).inner.GetTrailers(),
            static s => ((ObservedServerStreamingCall<TResponse, TObserver>)s).Dispose(),
            observed);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ObserveMoveNext(inner.ResponseStream, cancellationToken);

    private void Dispose()
    {
        Abandon();
        inner.Dispose();
    }
}
