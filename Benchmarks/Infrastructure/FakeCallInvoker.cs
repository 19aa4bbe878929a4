using Grpc.Core;

namespace ResilientGrpc.Benchmarks.Infrastructure;

/// <summary>
/// A call invoker that never touches a network: every async unary call returns the same already-completed call
/// (allocating nothing), so a benchmark through it measures only the layers above. Set <see cref="FailWith"/>
/// to make every call fail at once with that status instead.
/// </summary>
public sealed class FakeCallInvoker : CallInvoker
{
    private readonly object reply;
    private readonly Dictionary<StatusCode, object> failures = [];
    private object? completed;

    /// <summary>Creates an invoker that answers every call with <paramref name="reply"/>.</summary>
    public FakeCallInvoker(object reply) => this.reply = reply;

    /// <summary>Gets or sets the status every call fails with, or null for success.</summary>
    public StatusCode? FailWith { get; set; }

    /// <summary>Gets how many calls reached this invoker.</summary>
    public long Calls => Interlocked.Read(ref calls);

    private long calls;

    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Interlocked.Increment(ref calls);
        if (FailWith is { } code)
        {
            if (!failures.TryGetValue(code, out var failed))
            {
                failed = Faulted<TResponse>(new RpcException(new Status(code, "Injected by the fake invoker.")));
                failures[code] = failed;
            }

            return (AsyncUnaryCall<TResponse>)failed;
        }

        completed ??= Completed((TResponse)reply);
        return (AsyncUnaryCall<TResponse>)completed;
    }

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

    private static AsyncUnaryCall<TResponse> Completed<TResponse>(TResponse response)
    {
        var headers = Task.FromResult(new Metadata());
        var trailers = new Metadata();
        return new AsyncUnaryCall<TResponse>(
            Task.FromResult(response), headers, static () => Status.DefaultSuccess, () => trailers, static () => { });
    }

    private static AsyncUnaryCall<TResponse> Faulted<TResponse>(RpcException error)
    {
        var response = Task.FromException<TResponse>(error);
        var headers = Task.FromResult(new Metadata());
        return new AsyncUnaryCall<TResponse>(response, headers, () => error.Status, () => error.Trailers, static () => { });
    }
}
