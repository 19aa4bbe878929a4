using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>Wraps any call kind so that <typeparamref name="TObserver"/> learns once how it ended.</summary>
internal static class ObservedCalls<TObserver>
    where TObserver : struct, ICallObserver
{
    public static AsyncUnaryCall<TResponse> Wrap<TResponse>(AsyncUnaryCall<TResponse> call, TObserver observer) =>
        ObservedUnaryCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncServerStreamingCall<TResponse> Wrap<TResponse>(AsyncServerStreamingCall<TResponse> call, TObserver observer) =>
        ObservedServerStreamingCall<TResponse, TObserver>.Wrap(call, observer);

    public static AsyncClientStreamingCall<TRequest, TResponse> Wrap<TRequest, TResponse>(
        AsyncClientStreamingCall<TRequest, TResponse> call, TObserver observer) =>
        ObservedClientStreamingCall<TRequest, TResponse, TObserver>.Wrap(call, observer);

    public static AsyncDuplexStreamingCall<TRequest, TResponse> Wrap<TRequest, TResponse>(
        AsyncDuplexStreamingCall<TRequest, TResponse> call, TObserver observer) =>
        ObservedDuplexStreamingCall<TRequest, TResponse, TObserver>.Wrap(call, observer);
}
