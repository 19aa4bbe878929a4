using System.Globalization;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// The watched call of every stream kind: passes each operation below, tells the <see cref="StreamWatch"/> what it saw,
/// and turns the CANCELLED an expiry caused into DEADLINE_EXCEEDED wherever the caller looks; disposal settles the watch.
/// Each subclass is the state of the call object it builds, so the delegates below are shared, not allocated per call.
/// </summary>
internal abstract class WatchedCall(StreamWatch watch)
{
    protected static readonly Func<object, Task<Metadata>> HeadersOfCall = static s => ((WatchedCall)s).Headers();

    protected static readonly Func<object, Status> StatusOfCall = static s => ((WatchedCall)s).Status();

    protected static readonly Func<object, Metadata> TrailersOfCall = static s => ((WatchedCall)s).InnerTrailers();

    protected static readonly Action<object> DisposeCall = static s => ((WatchedCall)s).Dispose();

    private Task<Metadata>? headers;

    protected StreamWatch Watch { get; } = watch;

    protected abstract Task<Metadata> InnerHeaders { get; }

    /// <summary>Whether <paramref name="error"/> is the call below reporting the cancellation an expiry of <paramref name="watch"/> caused.</summary>
    public static bool IsExpiry(StreamWatch watch, Exception error) =>
        watch.Expired && error is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException;

    /// <summary>The error the caller sees once a limit of <paramref name="watch"/> has passed.</summary>
    public static RpcException Expiry(StreamWatch watch, Exception? cause = null) => new(ExpiredStatus(watch, cause));

    protected abstract Status InnerStatus();

    protected abstract Metadata InnerTrailers();

    protected abstract void InnerDispose();

    /// <summary>Reads the next response message: a message is an answer; the end of the stream or an error settles the call.</summary>
    protected Task<bool> ReadAsync<T>(IAsyncStreamReader<T> reader, CancellationToken cancellationToken)
    {
        var next = reader.MoveNext(cancellationToken);
        if (next.IsCompletedSuccessfully && next.Result)
        {
            // Reading a message that is already buffered stays allocation-free.
            Watch.Received();
            return next;
        }

        return ReadAsync(next);
    }

    /// <summary>Awaits the response of a client-streaming call, which settles it.</summary>
    protected async Task<TResponse> ResponseAsync<TResponse>(Task<TResponse> response)
    {
        try
        {
            var result = await response.ConfigureAwait(false);
            Watch.Settle();
            return result;
        }
        catch (Exception error)
        {
            Watch.Settle(error);
            if (IsExpiry(Watch, error))
            {
                throw Expiry(Watch, error);
            }

            throw;
        }
    }

    private static Status ExpiredStatus(StreamWatch watch, Exception? cause) => new(
        StatusCode.DeadlineExceeded,
        watch.IdleExpired
            ? string.Create(CultureInfo.InvariantCulture, $"The stream was idle for {watch.Limits.Idle.TotalSeconds:0.###} s.")
            : string.Create(CultureInfo.InvariantCulture, $"The stream got no response within {watch.Limits.FirstResponse.TotalSeconds:0.###} s."),
        cause);

    /// <summary>The headers as the caller sees them, one task however often it asks; received, they stop the first-response limit.</summary>
    private Task<Metadata> Headers()
    {
        var inner = InnerHeaders;
        if (!inner.IsCompletedSuccessfully)
        {
            return headers ??= HeadersAsync(inner);
        }

        Watch.Responded();
        return inner;
    }

    private async Task<Metadata> HeadersAsync(Task<Metadata> inner)
    {
        try
        {
            var received = await inner.ConfigureAwait(false);
            Watch.Responded();
            return received;
        }
        catch (Exception error) when (IsExpiry(Watch, error))
        {
            throw Expiry(Watch, error);
        }
    }

    private async Task<bool> ReadAsync(Task<bool> next)
    {
        try
        {
            var more = await next.ConfigureAwait(false);
            if (more)
            {
                Watch.Received();
            }
            else
            {
                Watch.Settle();
            }

            return more;
        }
        catch (Exception error) when (error is RpcException or OperationCanceledException)
        {
            // The call has ended (other errors, such as a read while another is pending, leave it running).
            Watch.Settle(error);
            if (IsExpiry(Watch, error))
            {
                throw Expiry(Watch, error);
            }

            throw;
        }
    }

    /// <summary>The call's status as the caller sees it: DEADLINE_EXCEEDED instead of the CANCELLED an expiry caused.</summary>
    private Status Status()
    {
        var status = InnerStatus();
        return Watch.Expired && status.StatusCode == StatusCode.Cancelled ? ExpiredStatus(Watch, cause: null) : status;
    }

    private void Dispose()
    {
        Watch.Settle();
        InnerDispose();
    }
}
