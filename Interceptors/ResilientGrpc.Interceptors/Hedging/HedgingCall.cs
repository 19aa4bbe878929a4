using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>
/// The one hedging loop (gRFC A6), shared by the hedged call kinds: the first attempt goes at once, each next one
/// after the hedge delay, or at once when an attempt failed with a non-fatal status, or after the server's pushback.
/// The first attempt whose outcome succeeds commits the call, as does a fatal failure, or, for a kind that gives
/// headers (<see cref="HeadersOf"/>) once the caller asks for them, the first attempt whose headers arrive while it
/// still runs; every other attempt is then cancelled and disposed. No hedge is sent while the retry budget, if any,
/// does not allow. Subclasses say what an attempt's outcome is and how the caller reads the committed one.
/// </summary>
/// <remarks>
/// One loop owns the attempts in flight and starts each of them, one at a time, so the attempt instruments below see
/// one attempt start at a time. Like grpc-dotnet's calls, it leaves no unobserved fault behind: every attempt it gives
/// up is observed, and its own task is observed when the caller disposes the call.
/// </remarks>
internal abstract class HedgingCall<TRequest, TResponse, TAttempt, TResult, TInvocation>
    where TRequest : class
    where TResponse : class
    where TAttempt : class, IDisposable
    where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
{
    private const string CancelledDetail = "Call canceled by the client.";

    private readonly HedgingEngine engine;
    private readonly ClientInterceptorContext<TRequest, TResponse> context;
    private readonly TInvocation invocation;
    private readonly DateTime deadline;
    private readonly TimeSpan delay;
    private readonly int maxAttempts;
    private readonly long start;
    private readonly CancellationTokenSource stop;
    private readonly List<Attempt> inFlight;
    private readonly TaskCompletionSource headersWanted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource committed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TAttempt? decided;
    private Exception? finalError;
    private Task<TResult> run = null!;
    private HedgeTimer timer = null!;
    private TimeSpan? nextWait;
    private Exception? lastError;
    private int attemptsSent;
    private int disposed;

    protected HedgingCall(HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, TInvocation invocation, long start)
    {
        this.engine = engine;
        this.context = context;
        this.invocation = invocation;
        this.start = start;
        deadline = HedgingEngine.DeadlineOf(context.Options);
        delay = engine.Policy.DelayOf(context.Method);
        maxAttempts = engine.Policy.MaxAttempts;
        inFlight = new List<Attempt>(maxAttempts);
        var callerToken = context.Options.CancellationToken;
        stop = callerToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(callerToken) : new CancellationTokenSource();
    }

    /// <summary>The task that runs the attempts, settling with the committed attempt's outcome or the call's error.</summary>
    protected Task<TResult> Run => run;

    /// <summary>The attempt that answered first, once the call has committed to it.</summary>
    protected TAttempt? Decided => Volatile.Read(ref decided);

    /// <summary>The error the call ended with, once it ended without an answer.</summary>
    protected Exception? FinalError => Volatile.Read(ref finalError);

    private bool CanSend => attemptsSent < maxAttempts && !stop.IsCancellationRequested;

    /// <summary>The call's span, when a listener samples it.</summary>
    private Activity? Span => ResilienceCallContext.Of(context.Options, context.Method)?.Span;

    /// <summary>The task that settles with how <paramref name="attempt"/> answers: its first result, or its error.</summary>
    protected abstract Task<TResult> OutcomeOf(TAttempt attempt);

    /// <summary>The response headers of <paramref name="attempt"/>, for a call kind that may commit on them; null otherwise.</summary>
    protected virtual Task<Metadata>? HeadersOf(TAttempt attempt) => null;

    /// <summary>Whether <paramref name="attempt"/> has ended, so that its headers are no sign of a started answer.</summary>
    protected virtual bool HasEnded(TAttempt attempt) => true;

    /// <summary>
    /// The caller asks for the response headers: from now on, the first attempt whose headers arrive while it still
    /// runs commits the call. Returns the task that completes once the call has committed to an attempt, however.
    /// </summary>
    protected Task CommitOnHeaders()
    {
        headersWanted.TrySetResult();
        return committed.Task;
    }

    /// <summary>Runs the loop from <paramref name="first"/>, the first attempt, already started with the caller's context, and its outcome.</summary>
    protected void StartAttempts(TAttempt first, Task<TResult> outcome)
    {
        attemptsSent = 1;
        inFlight.Add(new Attempt(first, outcome, 1));
        run = RunAsync();
    }

    /// <summary>Cancels every attempt (the loop disposes those in flight), or disposes the one that decided the call.</summary>
    protected void Dispose()
    {
        Interlocked.Exchange(ref disposed, 1);
        try
        {
            stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call already settled and released its token.
        }

        Volatile.Read(ref decided)?.Dispose();

        // The caller may never await what it disposed of: its failure (usually Cancelled) must not go unobserved.
        TaskFaults.Observe(run);
    }

    /// <summary>The error of the call, once its attempts have run; throws while they still run.</summary>
    protected Exception? Outcome() => run.IsCompleted
        ? FinalError
        : throw new InvalidOperationException("Unable to get the status or trailers because the call is not complete.");

    /// <summary>The loop: waits for the first of the attempts in flight, the hedge delay, or the caller giving up.</summary>
    private async Task<TResult> RunAsync()
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = stop.Token.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), stopped);
        timer = new HedgeTimer(engine.Time);
        nextWait = delay;
        try
        {
            while (true)
            {
                if (stop.IsCancellationRequested)
                {
                    throw Fail(Cancelled(lastError));
                }

                if (SendOrWait())
                {
                    continue;
                }

                if (inFlight.Count == 0 && !timer.IsArmed)
                {
                    engine.Telemetry.AllFailed(context.Method, attemptsSent, RpcStatus.CodeOf(lastError!));
                    throw Fail(lastError!);
                }

                var done = await Task.WhenAny(Pending(stopped.Task, timer)).ConfigureAwait(false);
                if (done != stopped.Task && Answer(done) is { } winner)
                {
                    // Committed by its headers, the attempt's outcome is still to come; otherwise it has come.
                    return await winner.Outcome.ConfigureAwait(false);
                }
            }
        }
        catch (Exception error) when (Volatile.Read(ref finalError) is null)
        {
            // The continuation threw while starting a hedge: that error is the call's.
            throw Fail(error);
        }
        finally
        {
            CancelInFlight();
            timer.Disarm();
            registration.Dispose();
            stop.Dispose();
            engine.Telemetry.Settled(context.Method, context.Host, attemptsSent);
        }
    }

    /// <summary>
    /// What <paramref name="done"/>, the first of the pending tasks to finish, means: the hedge timer fired, an attempt
    /// answered (by its headers or its outcome; returned), or an attempt failed (the next hedge's time set, or the
    /// call's failure thrown).
    /// </summary>
    private Attempt? Answer(Task done)
    {
        if (timer.HasFired(done))
        {
            nextWait = TimeSpan.Zero;
            return null;
        }

        if (TakeHeaders(done) is { } answering)
        {
            // The caller asked for headers and they came while this attempt runs: it answers the call.
            Win(answering);
            return answering;
        }

        if (inFlight.FindIndex(a => ReferenceEquals(a.Outcome, done)) < 0)
        {
            // Headers of an attempt that had already ended (a trailers-only failure), or that failed: no commit.
            return null;
        }

        var attempt = Take(done);
        if (attempt.Outcome.IsCompletedSuccessfully)
        {
            Win(attempt);
            return attempt;
        }

        Failed(attempt);
        return null;
    }

    /// <summary>
    /// Sends the next hedge when its time has come, or arms the timer for it. True when a hedge was sent, or held back
    /// by the retry budget, and the loop should look again; throws when the deadline leaves nothing to wait for.
    /// </summary>
    private bool SendOrWait()
    {
        if (timer.IsArmed || nextWait is not { } wait || !CanSend)
        {
            return false;
        }

        if (engine.PassesWithin(deadline, wait))
        {
            // No hedge may start after the caller's deadline: those in flight decide the call.
            nextWait = null;
            return inFlight.Count == 0 ? throw Fail(DeadlineExceeded(lastError)) : false;
        }

        if (wait > TimeSpan.Zero)
        {
            timer.Arm(wait);
            return false;
        }

        if (!engine.AllowsHedge)
        {
            // The retry budget is spent (gRFC A6): no further hedge; those in flight decide the call.
            nextWait = null;
            engine.Telemetry.Throttled(context.Method, context.Host, attemptsSent + 1);
            return true;
        }

        Send();
        nextWait = delay;
        return true;
    }

    /// <summary><paramref name="attempt"/> answers the call: the others are cancelled.</summary>
    private void Win(Attempt attempt)
    {
        timer.Disarm();
        engine.Succeeded();
        Commit(attempt.Call);
        engine.Telemetry.Won(context.Method, context.Host, attempt.Number, CancelInFlight(), Span);
    }

    /// <summary>
    /// <paramref name="attempt"/> failed: a fatal status commits that failure (throws it); otherwise the failure sets
    /// when the next hedge may go (at once, after the server's pushback, or never).
    /// </summary>
    private void Failed(Attempt attempt)
    {
        var error = attempt.Outcome.Exception!.InnerException!;
        lastError = error;
        var failure = engine.Policy.Classify(error, callerDeadlineAhead: !engine.PassesWithin(deadline, TimeSpan.Zero));
        if (failure is (HedgeFailure.NonFatal or HedgeFailure.Pushback or HedgeFailure.PushbackStop) && !stop.IsCancellationRequested)
        {
            engine.FailedNonFatally();
        }

        if (failure == HedgeFailure.Fatal)
        {
            attempt.Call.Dispose();
            CancelInFlight();
            throw Fail(error);
        }

        timer.Disarm();
        nextWait = failure switch
        {
            HedgeFailure.NonFatal => TimeSpan.Zero,
            HedgeFailure.Pushback => RetryHeaders.PushbackOf(((RpcException)error).Trailers),
            _ => null,
        };
        if (failure == HedgeFailure.PushbackStop)
        {
            engine.Telemetry.PushbackStop(context.Method, attempt.Number, RpcStatus.CodeOf(error), Span);
        }
        else if (failure == HedgeFailure.Pushback)
        {
            HedgingTelemetry.PushbackDelay(attempt.Number, RpcStatus.CodeOf(error), nextWait!.Value, Span);
        }
        else if (failure == HedgeFailure.Refused)
        {
            engine.Telemetry.Refused(context.Method, attempt.Number, RpcStatus.CodeOf(error));
        }

        // A failed attempt's status and trailers travel in its error, which is the call's if it is the last.
        attempt.Call.Dispose();
    }

    private List<Task> Pending(Task stopped, HedgeTimer timer)
    {
        var wantsHeaders = headersWanted.Task.IsCompleted;
        var tasks = new List<Task>((inFlight.Count * (wantsHeaders ? 2 : 1)) + 3) { stopped };
        foreach (var attempt in inFlight)
        {
            tasks.Add(attempt.Outcome);
        }

        if (timer.IsArmed)
        {
            tasks.Add(timer.Fired!);
        }

        if (!wantsHeaders)
        {
            tasks.Add(headersWanted.Task);
            return tasks;
        }

        for (var i = 0; i < inFlight.Count; i++)
        {
            var attempt = inFlight[i];
            if (attempt.HeadersSeen)
            {
                continue;
            }

            if (attempt.Headers is null && HeadersOf(attempt.Call) is { } headers)
            {
                TaskFaults.Observe(headers);
                attempt = inFlight[i] = attempt with { Headers = headers };
            }

            if (attempt.Headers is { } watched)
            {
                tasks.Add(watched);
            }
        }

        return tasks;
    }

    /// <summary>
    /// When <paramref name="done"/> is the headers task of an attempt in flight: that attempt, taken out, if its
    /// headers arrived while it still runs; otherwise its headers are marked seen and null is returned.
    /// </summary>
    private Attempt? TakeHeaders(Task done)
    {
        var index = inFlight.FindIndex(a => ReferenceEquals(a.Headers, done));
        if (index < 0)
        {
            return null;
        }

        var attempt = inFlight[index];
        if (attempt.Headers!.IsCompletedSuccessfully && !HasEnded(attempt.Call))
        {
            inFlight.RemoveAt(index);
            return attempt;
        }

        inFlight[index] = attempt with { HeadersSeen = true };
        return null;
    }

    /// <summary>Sends the next hedge.</summary>
    private void Send()
    {
        var number = ++attemptsSent;
        engine.Telemetry.HedgeSent(context.Method, number, engine.Time.GetElapsedTime(start), Span);
        var attempt = invocation.Start(HedgingEngine.ContextOf(context, number));
        inFlight.Add(new Attempt(attempt, OutcomeOf(attempt), number));
    }

    private Attempt Take(Task done)
    {
        var index = inFlight.FindIndex(a => ReferenceEquals(a.Outcome, done));
        var attempt = inFlight[index];
        inFlight.RemoveAt(index);
        return attempt;
    }

    /// <summary>Cancels and disposes every attempt still in flight (the server sees each cancellation); returns how many.</summary>
    private int CancelInFlight()
    {
        var count = inFlight.Count;
        foreach (var attempt in inFlight)
        {
            attempt.Call.Dispose();
            TaskFaults.Observe(attempt.Outcome);
        }

        inFlight.Clear();
        return count;
    }

    /// <summary>
    /// <paramref name="call"/> answered first: its headers, status and trailers are the call's, and the caller disposes
    /// it. A failed call's status and trailers travel in its error, so every failed attempt is disposed at once.
    /// </summary>
    private void Commit(TAttempt call)
    {
        Volatile.Write(ref decided, call);
        if (Volatile.Read(ref disposed) == 1)
        {
            call.Dispose();
        }

        committed.TrySetResult();
    }

    private Exception Fail(Exception error)
    {
        var final = error is OperationCanceledException ? new RpcException(new Status(StatusCode.Cancelled, CancelledDetail)) : error;
        Volatile.Write(ref finalError, final);
        return final;
    }

    private static RpcException Cancelled(Exception? lastError) =>
        lastError is RpcException { StatusCode: StatusCode.Cancelled } cancelled
            ? cancelled
            : new RpcException(new Status(StatusCode.Cancelled, CancelledDetail), lastError is null ? [] : HedgingEngine.TrailersOf(lastError));

    private static RpcException DeadlineExceeded(Exception? lastError) =>
        lastError is RpcException { StatusCode: StatusCode.DeadlineExceeded } exceeded
            ? exceeded
            : new RpcException(
                new Status(StatusCode.DeadlineExceeded, "The deadline passes before the next hedge could start."),
                lastError is null ? [] : HedgingEngine.TrailersOf(lastError));

    /// <summary>An attempt in flight; <see cref="Headers"/> is watched once the caller asks for headers, until seen.</summary>
    private readonly record struct Attempt(TAttempt Call, Task<TResult> Outcome, int Number, Task<Metadata>? Headers = null, bool HeadersSeen = false);
}
