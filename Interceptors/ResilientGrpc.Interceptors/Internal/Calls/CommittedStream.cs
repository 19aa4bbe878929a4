using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// The response stream of a server-streaming call that a layer makes of several attempts (retry, hedging) until one
/// commits: the layer reads the first message of each attempt ahead, and the first attempt whose read-ahead succeeds
/// (a message, or the end of its stream) is the stream the caller reads. The caller's first read is that read-ahead,
/// its next reads go to the committed attempt; a stream the caller has started reading is never replayed.
/// </summary>
internal static class CommittedStream
{
    /// <summary>
    /// The caller's read: the first returns <paramref name="firstRead"/> (the task of the layer's loop, which settles
    /// with the committed attempt's read-ahead), later ones read <paramref name="committed"/>. As with a real call,
    /// cancelling the first read cancels the call: <paramref name="cancel"/> is called with <paramref name="call"/>.
    /// </summary>
    public static Task<bool> MoveNext<TResponse>(
        ref bool firstConsumed,
        AsyncServerStreamingCall<TResponse>? committed,
        Task<bool> firstRead,
        CancellationToken cancellationToken,
        Action<object?> cancel,
        object call)
    {
        if (firstConsumed)
        {
            return committed is not null ? committed.ResponseStream.MoveNext(cancellationToken) : firstRead;
        }

        firstConsumed = true;
        return firstRead.IsCompleted || !cancellationToken.CanBeCanceled ? firstRead : FirstMoveNextAsync(firstRead, cancellationToken, cancel, call);
    }

    /// <summary>The message the caller read last: the committed attempt's.</summary>
    public static TResponse Current<TResponse>(AsyncServerStreamingCall<TResponse>? committed) =>
        committed is not null ? committed.ResponseStream.Current : default!;

    /// <summary>
    /// Whether <paramref name="attempt"/> has its final status already (a real call throws until it has one). Its
    /// headers then are no sign of a started answer: grpc-dotnet completes the headers task of a call the server failed
    /// before sending any ("trailers-only") once the call has ended.
    /// </summary>
    public static bool HasEnded<TResponse>(AsyncServerStreamingCall<TResponse> attempt)
    {
        try
        {
            _ = attempt.GetStatus();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task<bool> FirstMoveNextAsync(Task<bool> firstRead, CancellationToken cancellationToken, Action<object?> cancel, object call)
    {
        using var registration = cancellationToken.Register(cancel, call);
        return await firstRead.ConfigureAwait(false);
    }
}
