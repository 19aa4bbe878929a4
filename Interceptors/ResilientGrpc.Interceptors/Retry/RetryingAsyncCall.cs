using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Retry;

/// <summary>
/// The one async retry loop, shared by the async call kinds: subclasses say how an attempt is awaited, what its
/// success means and whether its failure may still be retried. It holds the current attempt and the task that runs
/// the attempts, and disposes both as a real call would.
/// </summary>
internal abstract class RetryingAsyncCall<TRequest, TResponse, TAttempt, TResult, TInvocation> : RetryingCall<TRequest, TResponse>
    where TRequest : class
    where TResponse : class
    where TAttempt : class, IDisposable
    where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
{
    private readonly TInvocation invocation;
    private TAttempt? current;
    private Task<TResult>? run;

    protected RetryingAsyncCall(RetryEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation)
        : base(engine, context) => this.invocation = invocation;

    /// <summary>The headers function of the call the caller holds; a headers task made here is observed at once.</summary>
    protected static Func<object, Task<Metadata>> HeadersOfCall { get; } =
        static state => TaskFaults.Observed(((RetryingAsyncCall<TRequest, TResponse, TAttempt, TResult, TInvocation>)state).HeadersAsync());

    protected static Func<object, Status> StatusOfCall { get; } =
        static state => ((RetryingAsyncCall<TRequest, TResponse, TAttempt, TResult, TInvocation>)state).GetStatus();

    protected static Func<object, Metadata> TrailersOfCall { get; } =
        static state => ((RetryingAsyncCall<TRequest, TResponse, TAttempt, TResult, TInvocation>)state).GetTrailers();

    protected static Action<object> DisposeOfCall { get; } =
        static state => ((RetryingAsyncCall<TRequest, TResponse, TAttempt, TResult, TInvocation>)state).Dispose();

    /// <summary>The attempt that runs now, or decided the outcome.</summary>
    protected TAttempt CurrentAttempt => Volatile.Read(ref current)!;

    /// <summary>The task that runs the attempts, settling with the first success or the final error.</summary>
    protected Task<TResult> Run => run!;

    /// <summary>Runs the loop from <paramref name="first"/>, the first attempt, already started with the caller's context.</summary>
    protected void StartAttempts(TAttempt first)
    {
        FirstAttemptStarted();
        current = first;
        run = RunAsync(first);
    }

    /// <summary>The task that settles with the attempt's outcome: its result, or its error.</summary>
    protected abstract Task<TResult> OutcomeAsync(TAttempt attempt);

    /// <summary>The attempt succeeded; called before the throttle hears of it.</summary>
    protected virtual void OnSucceeded(TAttempt attempt)
    {
    }

    /// <summary>The attempt failed: whether it may still be retried (false when its error is already final).</summary>
    protected virtual bool TryFail(TAttempt attempt) => true;

    /// <summary>A new attempt became current.</summary>
    protected virtual void OnNextAttempt()
    {
    }

    /// <summary>Runs the attempts from <paramref name="first"/>; a subclass may settle some first attempts itself.</summary>
    protected virtual Task<TResult> RunAsync(TAttempt first) => RunAttemptsAsync(first);

    protected abstract Task<Metadata> HeadersAsync();

    protected abstract Status GetStatus();

    protected abstract Metadata GetTrailers();

    /// <summary>The retry loop: awaits each attempt, decides after a failure, waits, and starts the next.</summary>
    protected async Task<TResult> RunAttemptsAsync(TAttempt attempt)
    {
        try
        {
            while (true)
            {
                Exception error;
                try
                {
                    var result = await OutcomeAsync(attempt).ConfigureAwait(false);
                    AttemptEnded(error: null);
                    OnSucceeded(attempt);
                    Succeeded();
                    return result;
                }
                catch (Exception ex)
                {
                    AttemptEnded(ex);
                    if (!TryFail(attempt))
                    {
                        throw;
                    }

                    error = ex;
                }

                await RetryAfterAsync(error, attempt).ConfigureAwait(false);
                attempt = invocation.Start(NextAttemptContext());
                Interlocked.Exchange(ref current, attempt);
                OnNextAttempt();
                if (IsDisposed)
                {
                    attempt.Dispose();
                }
            }
        }
        finally
        {
            Completed();
        }
    }

    private void Dispose()
    {
        MarkDisposed();
        Volatile.Read(ref current)?.Dispose();

        // The caller may never await (or read) what it disposed of: its failure (usually Cancelled) must not go unobserved.
        TaskFaults.Observe(run!);
    }
}
