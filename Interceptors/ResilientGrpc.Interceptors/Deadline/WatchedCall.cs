using Grpc.Core;

namespace ResilientGrpc.Interceptors.Deadline;

/// <summary>
/// What the watched call of every stream kind shares: the response headers, status and trailers the caller sees, and
/// its disposal, which settles the watch. Each subclass is the state of the gRPC call object it builds, so the
/// delegates below are shared and allocate nothing per call.
/// </summary>
internal abstract class WatchedCall(StreamWatch watch)
{
    private Task<Metadata>? headers;

    protected static readonly Func<object, Task<Metadata>> HeadersOfCall = static s => ((WatchedCall)s).Headers();

    protected static readonly Func<object, Status> StatusOfCall = static s => ((WatchedCall)s).Status();

    protected static readonly Func<object, Metadata> TrailersOfCall = static s => ((WatchedCall)s).InnerTrailers();

    protected static readonly Action<object> DisposeCall = static s => ((WatchedCall)s).Dispose();

    protected StreamWatch Watch { get; } = watch;

    protected abstract Task<Metadata> InnerHeaders { get; }

    protected abstract Status InnerStatus();

    protected abstract Metadata InnerTrailers();

    protected abstract void InnerDispose();

    /// <summary>
    /// The response headers as the caller sees them: one task however often it asks. Headers the caller has received
    /// have stopped the first-response limit.
    /// </summary>
    private Task<Metadata> Headers()
    {
        var inner = InnerHeaders;
        if (!inner.IsCompletedSuccessfully)
        {
            return headers ??= Watch.HeadersAsync(inner);
        }

        Watch.Responded();
        return inner;
    }

    private Status Status() => Watch.StatusOf(InnerStatus());

    private void Dispose()
    {
        Watch.Settle();
        InnerDispose();
    }
}
