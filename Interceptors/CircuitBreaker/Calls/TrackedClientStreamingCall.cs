using Grpc.Core;
using ResilientGrpc.Interceptors.CircuitBreaker.Controller;

namespace ResilientGrpc.Interceptors.CircuitBreaker.Calls;

/// <summary>A client-streaming call whose outcome is the end of its response task.</summary>
internal sealed class TrackedClientStreamingCall<TRequest, TResponse> : TrackedCall
{
    private readonly AsyncClientStreamingCall<TRequest, TResponse> inner;

    private TrackedClientStreamingCall(
        AsyncClientStreamingCall<TRequest, TResponse> inner,
        CircuitStateController controller,
        CircuitPermit permit,
        OutcomeClassifier classifier,
        CancellationToken callerToken)
        : base(controller, permit, classifier, callerToken) => this.inner = inner;

    public static AsyncClientStreamingCall<TRequest, TResponse> Wrap(
        AsyncClientStreamingCall<TRequest, TResponse> inner,
        CircuitStateController controller,
        CircuitPermit permit,
        OutcomeClassifier classifier,
        CancellationToken callerToken)
    {
        var tracked = new TrackedClientStreamingCall<TRequest, TResponse>(inner, controller, permit, classifier, callerToken);
        return new AsyncClientStreamingCall<TRequest, TResponse>(
            inner.RequestStream,
            tracked.ObserveAsync(inner.ResponseAsync),
            static s => ((TrackedClientStreamingCall<TRequest, TResponse>)s).inner.ResponseHeadersAsync,
            static s => ((TrackedClientStreamingCall<TRequest, TResponse>)s).inner.GetStatus(),
            static s => ((TrackedClientStreamingCall<TRequest, TResponse>)s).inner.GetTrailers(),
            static s => ((TrackedClientStreamingCall<TRequest, TResponse>)s).Dispose(),
            tracked);
    }

    private void Dispose()
    {
        if (!inner.ResponseAsync.IsCompleted)
        {
            Abandon();
        }

        inner.Dispose();
    }
}
