using Grpc.Core;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// A call invoker that answers every async unary call after a yield, as a network does: the call is still pending when
/// it returns to the layers above, so they take their asynchronous path, and the answer arrives on another thread. No
/// network is touched, so a benchmark through it measures what the layers cost a call that is pending when it returns.
/// </summary>
public sealed class PendingCallInvoker(object reply) : CallInvoker
{
    private static readonly Task<Metadata> Headers = Task.FromResult(new Metadata());
    private static readonly Metadata Trailers = [];

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        new(AnswerAsync((TResponse)reply), Headers, static () => Status.DefaultSuccess, static () => Trailers, static () => { });

    /// <inheritdoc />
    public override TResponse BlockingUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("Only async unary calls are benchmarked.");

    /// <inheritdoc />
    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException("Only async unary calls are benchmarked.");

    /// <inheritdoc />
    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("Only async unary calls are benchmarked.");

    /// <inheritdoc />
    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException("Only async unary calls are benchmarked.");

    private static async Task<TResponse> AnswerAsync<TResponse>(TResponse response)
    {
        await Task.Yield();
        return response;
    }
}
