using Grpc.Core;
using ResilientGrpc.Interceptors.CircuitBreaker.Controller;

namespace ResilientGrpc.Interceptors.CircuitBreaker.Calls;

/// <summary>A unary call whose outcome is the end of its response task.</summary>
internal sealed class TrackedUnaryCall<TResponse> : TrackedCall
{
    private readonly AsyncUnaryCall<TResponse> inner;

    private TrackedUnaryCall(
        AsyncUnaryCall<TResponse> inner, CircuitStateController controller, CircuitPermit permit, OutcomeClassifier classifier, CancellationToken callerToken)
        : base(controller, permit, classifier, callerToken) => this.inner = inner;

    public static AsyncUnaryCall<TResponse> Wrap(
        AsyncUnaryCall<TResponse> inner, CircuitStateController controller, CircuitPermit permit, OutcomeClassifier classifier, CancellationToken callerToken)
    {
        var tracked = new TrackedUnaryCall<TResponse>(inner, controller, permit, classifier, callerToken);
        return new AsyncUnaryCall<TResponse>(
            tracked.ObserveAsync(inner.ResponseAsync),
            static s => ((TrackedUnaryCall<TResponse>)s).inner.ResponseHeadersAsync,
            static s => ((TrackedUnaryCall<TResponse>)s).inner.GetStatus(),
            static s => ((TrackedUnaryCall<TResponse>)s).inner.GetTrailers(),
            static s => ((TrackedUnaryCall<TResponse>)s).Dispose(),
            tracked);
    }

    private void Dispose()
    {
        // A response that already arrived is reported by ObserveAsync; only a call cut short is abandoned.
        if (!inner.ResponseAsync.IsCompleted)
        {
            Abandon();
        }

        inner.Dispose();
    }
}
