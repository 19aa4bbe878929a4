using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>A watched call's request stream: tells the watch of completed writes and of completion; after an expiry, writes fail.</summary>
internal sealed class WatchedRequestStream<TRequest>(IClientStreamWriter<TRequest> inner, StreamWatch watch) : IClientStreamWriter<TRequest>
{
    public WriteOptions? WriteOptions
    {
        get => inner.WriteOptions;
        set => inner.WriteOptions = value;
    }

    public Task WriteAsync(TRequest message) => watch.Expired ? Refused() : Written(inner.WriteAsync(message));

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken) =>
        watch.Expired ? Refused() : Written(inner.WriteAsync(message, cancellationToken));

    public Task CompleteAsync()
    {
        if (watch.Expired)
        {
            return Refused();
        }

        var complete = inner.CompleteAsync();
        if (!complete.IsFaulted)
        {
            watch.RequestCompleted();
        }

        return complete.IsCompletedSuccessfully ? complete : SentAsync(complete, isMessage: false);
    }

    private Task Refused() => Task.FromException(watch.Expiry());

    private Task Written(Task write)
    {
        if (write.IsCompletedSuccessfully)
        {
            watch.Wrote();
            return write;
        }

        return SentAsync(write, isMessage: true);
    }

    private async Task SentAsync(Task write, bool isMessage)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception error) when (watch.IsExpiry(error))
        {
            throw watch.Expiry(error);
        }

        if (isMessage)
        {
            watch.Wrote();
        }
    }
}
