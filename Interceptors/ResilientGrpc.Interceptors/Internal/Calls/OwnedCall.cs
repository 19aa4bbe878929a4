using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// What the caller holds of a call an owner (retry, hedging) makes of attempts: the task running them, the attempt that
/// answered or runs, the final error, disposal. It is also the call's context below when no layer above made one.
/// </summary>
/// <remarks>
/// Like grpc-dotnet's calls it leaves no unobserved fault: its task is observed on disposal, and a headers task it
/// makes at once (a layer above may never await it). A caller who awaits still gets the error.
/// </remarks>
internal abstract class OwnedCall<TAttempt, TResult> : ResilienceCallContext
    where TAttempt : class, IDisposable
{
    private ResilienceCallContext? shared;
    private TAttempt? current;
    private Task<TResult>? run;
    private Exception? finalError;
    private int disposed;

    private protected OwnedCall(in CallOptions options, IMethod method)
        : base(options, method)
    {
    }

    /// <summary>The functions of the call object the caller holds.</summary>
    protected static Func<object, Task<Metadata>> HeadersOfCall { get; } = static state => TaskFaults.Observed(((OwnedCall<TAttempt, TResult>)state).HeadersAsync());

    protected static Func<object, Status> StatusOfCall { get; } = static state => ((OwnedCall<TAttempt, TResult>)state).GetStatus();

    protected static Func<object, Metadata> TrailersOfCall { get; } = static state => ((OwnedCall<TAttempt, TResult>)state).GetTrailers();

    protected static Action<object> DisposeOfCall { get; } = static state => ((OwnedCall<TAttempt, TResult>)state).Dispose();

    /// <summary>The context the attempts carry and report to: the one from above, else this call.</summary>
    protected ResilienceCallContext Shared => shared ?? this;

    /// <summary>The task that runs the attempts, settling with the answer or the call's error.</summary>
    protected Task<TResult> Run => run!;

    /// <summary>The attempt that answered (or, for a sequential owner, runs now); null before the first.</summary>
    protected TAttempt? Attempt => Volatile.Read(ref current);

    /// <summary>The error the call ended with, once it ended without an answer.</summary>
    protected Exception? FinalError => Volatile.Read(ref finalError);

    protected bool IsDisposed => Volatile.Read(ref disposed) == 1;

    /// <summary>
    /// Declares, before the first attempt leaves, that the call may take up to <paramref name="attempts"/> attempts, on the
    /// context they carry in <paramref name="context"/>: <paramref name="found"/>, from above, or this call.
    /// </summary>
    protected ResilienceCallContext Declare<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, int attempts, AttemptsReport report)
        where TRequest : class
        where TResponse : class
    {
        shared = Adopt(ref context, found, this);
        shared.DeclareAttempts(attempts, report);
        return shared;
    }

    /// <summary>The attempts run in <paramref name="attempts"/>, the task the caller's call settles with.</summary>
    protected void Running(Task<TResult> attempts) => run = attempts;

    /// <summary><paramref name="attempt"/> runs now, or answered; returns it. Disposed at once if the caller disposed the call.</summary>
    protected TAttempt Track(TAttempt attempt)
    {
        Interlocked.Exchange(ref current, attempt);
        if (IsDisposed)
        {
            attempt.Dispose();
        }

        return attempt;
    }

    /// <summary>The call ends with <paramref name="error"/>, which the caller sees; returns it.</summary>
    protected Exception Ended(Exception error)
    {
        Volatile.Write(ref finalError, error);
        return error;
    }

    /// <summary>The error of the call, once its attempts have run; throws while they still run.</summary>
    protected Exception? Outcome() => run!.IsCompleted
        ? FinalError
        : throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");

    /// <summary>The caller disposed the call: the owner stops its attempts.</summary>
    protected abstract void OnDisposed();

    protected abstract Task<Metadata> HeadersAsync();

    protected abstract Status StatusOf(TAttempt attempt);

    protected abstract Metadata TrailersOf(TAttempt attempt);

    /// <summary>The headers of a call that headers never commit (unary): the answering attempt's once settled, or the call's error.</summary>
    protected async Task<Metadata> HeadersOnceSettledAsync(Func<TAttempt, Task<Metadata>> headersOf)
    {
        await ((Task)Run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (FinalError is { } error)
        {
            throw error;
        }

        return await headersOf(Attempt!).ConfigureAwait(false);
    }

    private Status GetStatus() => Outcome() is { } error ? CallErrors.StatusOf(error) : StatusOf(Attempt!);

    private Metadata GetTrailers() => Outcome() is { } error ? CallErrors.TrailersOf(error) : TrailersOf(Attempt!);

    private void Dispose()
    {
        Interlocked.Exchange(ref disposed, 1);
        OnDisposed();
        Volatile.Read(ref current)?.Dispose();

        // The caller may never await (or read) what it disposed of: its failure (usually Cancelled) must not go unobserved.
        TaskFaults.Observe(run!);
    }
}

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
