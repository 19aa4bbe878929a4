using Grpc.Core;

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

    /// <summary>The task that runs the attempts, settling with the answer or the call's error.</summary>
    protected Task<TResult> Run => run!;

    /// <summary>The attempt that answered (or, for a sequential owner, runs now); null before the first.</summary>
    protected TAttempt? Attempt => Volatile.Read(ref current);

    /// <summary>The error the call ended with, once it ended without an answer.</summary>
    protected Exception? FinalError => Volatile.Read(ref finalError);

    protected bool IsDisposed => Volatile.Read(ref disposed) == 1;

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
