using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// The response stream of a server-streaming call retried or hedged until it commits: the first attempt whose read-ahead
/// of its first message succeeds (a message, or the end) is the stream the caller reads. The caller's first read is that
/// read-ahead, the next go to the committed attempt; a stream the caller has started reading is never replayed.
/// </summary>
internal static class CommittedStream
{
    /// <summary>
    /// The caller's read: the first returns <paramref name="firstRead"/> (the loop's task, settling with the committed
    /// read-ahead), later ones read <paramref name="committed"/>. Cancelling the first read cancels the call, as for a real one.
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
    /// Whether <paramref name="attempt"/> has its final status already: its headers then are no sign of a started answer,
    /// as grpc-dotnet completes the headers of a trailers-only failure once the call has ended. So a completed headers task
    /// alone is no commit: headers commit an attempt only when the caller asks for them and gets them while it runs.
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
