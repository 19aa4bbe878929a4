using Grpc.Core;
using ResilientGrpc.Interceptors.CircuitBreaker.Controller;

namespace ResilientGrpc.Interceptors.CircuitBreaker.Calls;

/// <summary>
/// A server-streaming call whose outcome is the end of its response stream: MoveNext returning false (OK) or
/// throwing. It is its own response stream reader.
/// </summary>
internal sealed class TrackedServerStreamingCall<TResponse> : TrackedCall, IAsyncStreamReader<TResponse>
{
    private readonly AsyncServerStreamingCall<TResponse> inner;

    private TrackedServerStreamingCall(
        AsyncServerStreamingCall<TResponse> inner, CircuitStateController controller, CircuitPermit permit, OutcomeClassifier classifier, CancellationToken callerToken)
        : base(controller, permit, classifier, callerToken) => this.inner = inner;

    public TResponse Current => inner.ResponseStream.Current;

    public static AsyncServerStreamingCall<TResponse> Wrap(
        AsyncServerStreamingCall<TResponse> inner, CircuitStateController controller, CircuitPermit permit, OutcomeClassifier classifier, CancellationToken callerToken)
    {
        var tracked = new TrackedServerStreamingCall<TResponse>(inner, controller, permit, classifier, callerToken);
        return new AsyncServerStreamingCall<TResponse>(
            tracked,
            static s => ((TrackedServerStreamingCall<TResponse>)s).inner.ResponseHeadersAsync,
            static s => ((TrackedServerStreamingCall<TResponse>)s).inner.GetStatus(),
            static s => ((TrackedServerStreamingCall<TResponse>)s).inner.GetTrailers(),
            static s => ((TrackedServerStreamingCall<TResponse>)s).Dispose(),
            tracked);
    }

    public Task<bool> MoveNext(CancellationToken cancellationToken) => ObserveMoveNext(inner.ResponseStream, cancellationToken);

    private void Dispose()
    {
        Abandon();
        inner.Dispose();
    }
}
