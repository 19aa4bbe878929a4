using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>The request stream of a watched client-streaming or duplex call.</summary>
internal sealed class WatchedRequestStream<TRequest>(IClientStreamWriter<TRequest> inner, StreamWatch watch) : IClientStreamWriter<TRequest>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public Task WriteAsync(TRequest message) =>
        watch.Expired ? watch.Refused() : watch.Written(inner.WriteAsync(message));

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken) =>
        watch.Expired ? watch.Refused() : watch.Written(inner.WriteAsync(message, cancellationToken));

    public Task CompleteAsync() =>
        watch.Expired ? watch.Refused() : watch.Completed(inner.CompleteAsync());
}
