using Grpc.Core;
using ResilientGrpc.Interceptors.CircuitBreaker.Controller;

namespace ResilientGrpc.Interceptors.CircuitBreaker.Calls;

/// <summary>
/// A duplex call whose outcome is the end of its response stream: MoveNext returning false (OK) or throwing.
/// It is its own response stream reader; the request stream is passed through.
/// </summary>
internal sealed class TrackedDuplexStreamingCall<TRequest, TResponse> : TrackedCall, IAsyncStreamReader<TResponse>
{
    private readonly AsyncDuplexStreamingCall<TRequest, TResponse> inner;

    private TrackedDuplexStreamingCall(
        AsyncDuplexStreamingCall<TRequest, TResponse> inner,
        CircuitStateController controller,
        CircuitPermit permit,
        OutcomeClassifier classifier,
        CancellationToken callerToken)
        : base(controller, permit, classifier, callerToken) => this.inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Wrap(
        AsyncDuplexStreamingCall<TRequest, TResponse> inner,
        CircuitStateController controller,
        CircuitPermit permit,
        OutcomeClassifier classifier,
        CancellationToken callerToken)
    {
        var tracked = new TrackedDuplexStreamingCall<TRequest, TResponse>(inner, controller, permit, classifier, callerToken);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            inner.RequestStream,
            tracked,
            static s => ((TrackedDuplexStreamingCall<TRequest, TResponse>)s).inner.ResponseHeadersAsync,
            static s => ((TrackedDuplexStreamingCall<TRequest, TResponse>)s).inner.GetStatus(),
            static s => ((TrackedDuplexStreamingCall<TRequest, TResponse>)s).inner.GetTrailers(),
            static s => ((TrackedDuplexStreamingCall<TRequest, TResponse>)s).Dispose(),
            tracked);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ObserveMoveNext(inner.ResponseStream, cancellationToken);

    private void Dispose()
    {
        Abandon();
        inner.Dispose();
    }
}
