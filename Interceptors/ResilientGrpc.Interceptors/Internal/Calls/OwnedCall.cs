using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>The state of the call object the caller holds of a call an owner (retry, hedging) makes of attempts.</summary>
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

    protected static Func<object, Task<Metadata>> HeadersOfCall { get; } = static state => TaskFaults.Observed(((OwnedCall<TAttempt, TResult>)state).HeadersAsync());

    protected static Func<object, Status> StatusOfCall { get; } = static state => ((OwnedCall<TAttempt, TResult>)state).GetStatus();

    protected static Func<object, Metadata> TrailersOfCall { get; } = static state => ((OwnedCall<TAttempt, TResult>)state).GetTrailers();

    /// <summary>Disposes of the call given as state: the call object's dispose action, and a committed stream's cancellation of its first read.</summary>
    protected static Action<object?> DisposeOfCall { get; } = static state => ((OwnedCall<TAttempt, TResult>)state!).Dispose();

    /// <summary>The context the attempts carry and report to: the one from above, else this call.</summary>
    protected ResilienceCallContext Shared => shared ?? this;

    protected Task<TResult> Run => run!;

    /// <summary>The attempt that answered (or, for a sequential owner, runs now); null before the first.</summary>
    protected TAttempt? Attempt => Volatile.Read(ref current);

    protected Exception? FinalError => Volatile.Read(ref finalError);

    protected bool IsDisposed => Volatile.Read(ref disposed) == 1;

    /// <summary>Declares the call's <paramref name="attempts"/> on the context its attempts carry: <paramref name="found"/>, else this call.</summary>
    protected ResilienceCallContext Declare<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, int attempts, AttemptsReport report)
        where TRequest : class
        where TResponse : class
    {
        shared = Adopt(ref context, found, this);
        shared.DeclareAttempts(attempts, report);
        return shared;
    }

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

    protected Exception Ended(Exception error)
    {
        Volatile.Write(ref finalError, error);
        return error;
    }

    protected Exception? Outcome() => run!.IsCompleted
        ? FinalError
        : throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");

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

/// <summary>The response stream of a server-streaming call retried or hedged until it commits (see docs/architecture.md).</summary>
internal static class CommittedStream
{
    /// <summary>The caller's read: the first is <paramref name="firstRead"/>, the loop's (its cancellation cancels the call), later ones read <paramref name="committed"/>.</summary>
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

    public static TResponse Current<TResponse>(AsyncServerStreamingCall<TResponse>? committed) =>
        committed is not null ? committed.ResponseStream.Current : default!;

    /// <summary>Whether <paramref name="attempt"/> has its final status: its headers are then no answer (see docs/architecture.md).</summary>
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
