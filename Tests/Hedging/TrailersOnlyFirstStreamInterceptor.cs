using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>
/// Answers the first server-streaming call itself, as grpc-dotnet reports a trailers-only failure, one step at a time:
/// its status is already final, its headers task completes (empty) when the test says, and only later does its read
/// fail with Unavailable. Every later call goes on to the network below.
/// </summary>
internal sealed class TrailersOnlyFirstStreamInterceptor : Interceptor
{
    private readonly TaskCompletionSource<Metadata> headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<bool> read = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Status status = new(StatusCode.Unavailable, "trailers only");
    private int calls;
    private int headerReads;

    /// <summary>How many times the headers of the first call were asked for.</summary>
    public int HeaderReads => Volatile.Read(ref headerReads);

    /// <summary>Completes the first call's headers task, as grpc-dotnet does once a trailers-only call has ended.</summary>
    public void SendEmptyHeaders() => headers.SetResult([]);

    /// <summary>Fails the first call's pending read.</summary>
    public void FailRead() => read.SetException(new RpcException(status));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context,
        AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (Interlocked.Increment(ref calls) > 1)
        {
            return continuation(request, context);
        }

        return new AsyncServerStreamingCall<TResponse>(
            new Reader<TResponse>(read.Task),
            static state =>
            {
                var self = (TrailersOnlyFirstStreamInterceptor)state;
                Interlocked.Increment(ref self.headerReads);
                return self.headers.Task;
            },
            static state => ((TrailersOnlyFirstStreamInterceptor)state).status,
            static _ => [],
            static _ => { },
            this);
    }

    private sealed class Reader<T>(Task<bool> read) : IAsyncStreamReader<T>
    {
        public T Current => default!;

        public Task<bool> MoveNext(CancellationToken cancellationToken) => read;
    }
}
