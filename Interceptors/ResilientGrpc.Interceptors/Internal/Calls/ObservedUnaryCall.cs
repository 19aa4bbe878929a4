using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>A unary call whose outcome is the end of its response task.</summary>
internal sealed class ObservedUnaryCall<TResponse, TObserver> : ObservedResponseCall<TResponse, TObserver>
    where TObserver : struct, ICallObserver
{
    private readonly AsyncUnaryCall<TResponse> inner;

    private ObservedUnaryCall(AsyncUnaryCall<TResponse> inner, TObserver observer)
        : base(observer) => this.inner = inner;

    protected override Task<TResponse> InnerResponse => inner.ResponseAsync;

    /// <summary>Observes <paramref name="inner"/>; one already answered is reported at once and passed on as it is.</summary>
    public static AsyncUnaryCall<TResponse> Wrap(AsyncUnaryCall<TResponse> inner, TObserver observer)
    {
        if (inner.ResponseAsync.IsCompletedSuccessfully)
        {
            observer.OnEnded(error: null, default);
            return inner;
        }

        var observed = new ObservedUnaryCall<TResponse, TObserver>(inner, observer);
        return new AsyncUnaryCall<TResponse>(
            observed.ObserveResponse(),
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).inner.ResponseHeadersAsync,
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).inner.GetStatus(),
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).inner.GetTrailers(),
            static s => ((ObservedUnaryCall<TResponse, TObserver>)s).DisposeCall(((ObservedUnaryCall<TResponse, TObserver>)s).inner),
            observed);
    }
}
