using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A client-streaming call whose outcome is the end of its response task.</summary>
internal sealed class ObservedClientStreamingCall<TRequest, TResponse, TObserver> : ObservedResponseCall<TResponse, TObserver>
    where TObserver : struct, ICallObserver
{
    private readonly AsyncClientStreamingCall<TRequest, TResponse> inner;

    private ObservedClientStreamingCall(AsyncClientStreamingCall<TRequest, TResponse> inner, TObserver observer)
        : base(observer) => this.inner = inner;

    protected override Task<TResponse> InnerResponse => inner.ResponseAsync;

    public static AsyncClientStreamingCall<TRequest, TResponse> Wrap(AsyncClientStreamingCall<TRequest, TResponse> inner, TObserver observer)
    {
        var observed = new ObservedClientStreamingCall<TRequest, TResponse, TObserver>(inner, observer);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            inner.RequestStream,
            observed.ObserveResponse(),
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner.ResponseHeadersAsync,
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner.GetStatus(),
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner.GetTrailers(),
            static s => ((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).DisposeCall(((ObservedClientStreamingCall<TRequest, TResponse, TObserver>)s).inner),
            observed);
    }
}
