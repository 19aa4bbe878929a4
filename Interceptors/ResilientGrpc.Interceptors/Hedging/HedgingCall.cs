using Grpc.Core;
using Grpc.Core.Interceptors;
using ResilientGrpc.Interceptors.Internal;
using ResilientGrpc.Interceptors.Internal.Calls;

namespace ResilientGrpc.Interceptors.Hedging;

/// <summary>A call hedging makes of overlapping attempts, and the one hedging loop (gRFC A6) of the hedged call kinds (see docs/architecture.md).</summary>
internal abstract class HedgingCall<TRequest, TResponse, TAttempt, TResult> : OwnedCall<TAttempt, TResult>
    where TRequest : class
    where TResponse : class
    where TAttempt : class, IDisposable
{
    /// <summary>What the layers watching the first attempt hear when the call cancels it: ignored, as a caller's cancellation.</summary>
    private static readonly RpcException AttemptCancelled = new(new Status(StatusCode.Cancelled, "The hedged call ended without this attempt."));

    private readonly HedgingEngine engine;
    private readonly HedgeAttempts<TAttempt, TResult> inFlight;
    private readonly long start;
    private readonly WakeSignal signal = new();
    private readonly Action wake;
    private HedgeTimer timer;
    private int stopped;
    private int headersWanted;
    private int firstWatched;
    private TaskCompletionSource? committed;
    private ClientInterceptorContext<TRequest, TResponse> context;

    protected HedgingCall(HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context)
        : base(context.Options, context.Method)
    {
        this.engine = engine;
        this.context = context;
        start = engine.Time.GetTimestamp();
        inFlight = new HedgeAttempts<TAttempt, TResult>(engine.Policy.MaxAttempts);
        wake = signal.Wake;
    }

    protected TAttempt StartFirst<TInvocation>(ResilienceCallContext? found, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        // Until a hedge overlaps it, the first attempt runs alone: its end is reported, so the layers below need not wrap it.
        Declare(ref context, found, engine.Policy.MaxAttempts, ReportsFirstEnd ? AttemptsReport.Sequential : AttemptsReport.None);
        firstWatched = ReportsFirstEnd ? 1 : 0;
        return invocation.Start(context);
    }

    protected void AnsweredAtOnce()
    {
        engine.Succeeded();
        FirstEnded(error: null);
    }

    /// <summary>The first attempt was refused at once below (an open circuit, a local limit): the call's outcome.</summary>
    protected void RefusedAtOnce(Exception refused) => FirstEnded(refused);

    protected void RunAttempts<TInvocation>(TAttempt first, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        Add(first, number: 1);
        Running(RunAsync(invocation));
    }

    protected abstract Task<TResult> OutcomeOf(TAttempt attempt);

    protected virtual Task<Metadata> HeadersOf(TAttempt attempt) => throw new NotSupportedException();

    protected virtual bool HasEnded(TAttempt attempt) => true;

    /// <summary>Whether the first attempt's outcome is its end, so its end can be reported to the layers below (unary calls).</summary>
    protected virtual bool ReportsFirstEnd => false;

    /// <summary>The caller asks for headers: from now on, an attempt whose headers arrive while it runs commits the call. Completes on commit.</summary>
    protected Task CommitOnHeaders()
    {
        var commit = LazyInitializer.EnsureInitialized(ref committed, static () => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (Attempt is not null)
        {
            commit.TrySetResult();
        }

        Interlocked.Exchange(ref headersWanted, 1);
        signal.Wake();
        return commit.Task;
    }

    protected override void OnDisposed() => Stop();

    private async Task<TResult> RunAsync<TInvocation>(TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        var round = new HedgeRound(engine, context.Options, engine.Policy.DelayOf(context.Method));
        var callerToken = context.Options.CancellationToken;
        using var registration = callerToken.CanBeCanceled ? callerToken.UnsafeRegister(static s => ((HedgingCall<TRequest, TResponse, TAttempt, TResult>)s!).Stop(), this) : default;
        try
        {
            while (true)
            {
                // Armed before looking, so that whatever happens from here on wakes the wait below.
                signal.Arm();
                if (Volatile.Read(ref stopped) == 1 || callerToken.IsCancellationRequested)
                {
                    throw Fail(CallErrors.Cancelled(round.LastError), cancelled: true);
                }

                if (TryAnswer(out var winner))
                {
                    // Committed by its headers, the attempt's outcome is still to come; otherwise it has come.
                    return await winner.Outcome.ConfigureAwait(false);
                }

                if (inFlight.TryTakeEnded(out var ended))
                {
                    if (ended.Number == 1)
                    {
                        FirstEnded(ended.Outcome.IsCompletedSuccessfully ? null : ended.Outcome.Exception?.InnerException ?? AttemptCancelled);
                    }

                    if (ended.Outcome.IsCompletedSuccessfully)
                    {
                        Win(ended);
                        return ended.Outcome.Result;
                    }

                    Failed(ended, ref round);
                    continue;
                }

                if (timer.TakeFired())
                {
                    round.NextWait = TimeSpan.Zero;
                }

                if (SendOrTime(ref round, invocation))
                {
                    continue;
                }

                if (inFlight.Count == 0 && !timer.IsArmed)
                {
                    engine.Telemetry.AllFailed(context.Method, round.Sent, CallErrors.CodeOf(round.LastError!));
                    throw Fail(round.LastError!, cancelled: false);
                }

                await signal.WaitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            inFlight.CancelAll();
            FirstEnded(AttemptCancelled);
            timer.Disarm();
            engine.Telemetry.Settled(context.Method, context.Host, round.Sent);
        }
    }

    /// <summary>Sends the next hedge if due, or arms its timer. True when sent or throttled (look again); throws when the deadline ends the wait.</summary>
    private bool SendOrTime<TInvocation>(ref HedgeRound round, TInvocation invocation)
        where TInvocation : struct, IInvocation<TRequest, TResponse, TAttempt>
    {
        switch (round.Next(timer.IsArmed))
        {
            case HedgeStep.Wait:
                return false;
            case HedgeStep.DeadlinePasses:
                return inFlight.Count == 0
                    ? throw Fail(CallErrors.DeadlineExceeded(round.LastError, "The deadline passes before the next hedge could start."), cancelled: false)
                    : false;
            case HedgeStep.Arm:
                timer.Arm(engine.Time, round.NextWait!.Value, static (self, arming) => self.OnTimer(arming), this);
                return false;
            case HedgeStep.Throttled:
                engine.Telemetry.Throttled(context.Method, context.Host, round.Sent + 1);
                return true;
            default:
                var number = round.Sent + 1;
                engine.Telemetry.HedgeSent(context.Method, number, engine.Time.GetElapsedTime(start), Shared.Span);
                Shared.Overlap();
                TAttempt hedge;
                try
                {
                    hedge = invocation.Start(RetryHeaders.ContextOf(context, number));
                }
                catch (Exception error)
                {
                    // Starting the hedge threw instead of failing it: that error is the call's.
                    throw Fail(error, cancelled: false);
                }

                round.Sent = number;
                Add(hedge, number);
                return true;
        }
    }

    private bool TryAnswer(out HedgeAttempts<TAttempt, TResult>.InFlightAttempt winner)
    {
        winner = default;
        if (Volatile.Read(ref headersWanted) == 0)
        {
            return false;
        }

        inFlight.WatchHeaders(HeadersOf, wake);
        if (!inFlight.TryTakeAnswering(HasEnded, out winner))
        {
            return false;
        }

        Win(winner);
        return true;
    }

    private void Win(in HedgeAttempts<TAttempt, TResult>.InFlightAttempt winner)
    {
        timer.Disarm();
        engine.Succeeded();
        Shared.Commit();
        Track(winner.Call);

        committed?.TrySetResult();
        engine.Telemetry.Won(context.Method, context.Host, winner.Number, inFlight.CancelAll(), Shared.Span);
    }

    /// <summary>The first attempt ended, or was cancelled with the call: the layers that watch it hear it once.</summary>
    private void FirstEnded(Exception? error)
    {
        if (Interlocked.Exchange(ref firstWatched, 0) == 1)
        {
            Shared.AttemptEnded(error, context.Options.CancellationToken);
        }
    }

    /// <summary><paramref name="attempt"/> failed: a fatal status is thrown as the call's; otherwise it sets when the next hedge may go.</summary>
    private void Failed(in HedgeAttempts<TAttempt, TResult>.InFlightAttempt attempt, ref HedgeRound round)
    {
        var error = attempt.Outcome.Exception?.InnerException ?? new OperationCanceledException();

        // A failed attempt's status and trailers travel in its error, which is the call's if it is the last.
        attempt.Call.Dispose();
        var failure = round.Failed(error, Volatile.Read(ref stopped) == 1);
        if (failure == HedgeFailure.Fatal)
        {
            throw Fail(error, cancelled: false);
        }

        timer.Disarm();
        engine.Telemetry.Failed(context.Method, attempt.Number, error, failure, round.NextWait, Shared.Span);
    }

    private void Add(TAttempt attempt, int number)
    {
        var outcome = OutcomeOf(attempt);
        inFlight.Add(attempt, outcome, number);
        outcome.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(wake);
    }

    /// <summary>The call ends with <paramref name="error"/>; unless <paramref name="cancelled"/>, it failed for good, which the layers below hear.</summary>
    private Exception Fail(Exception error, bool cancelled)
    {
        var final = Ended(CallErrors.AsSeen(error));
        inFlight.CancelAll();
        if (!cancelled)
        {
            Shared.CallFailed();
        }

        return final;
    }

    private void Stop()
    {
        Interlocked.Exchange(ref stopped, 1);
        signal.Wake();
    }

    private void OnTimer(int arming)
    {
        timer.Fire(arming);
        signal.Wake();
    }
}

/// <summary>The call kinds hedging makes of attempts: async unary and server-streaming calls.</summary>
internal readonly struct Hedged<TRequest, TResponse>
    : IOwnedCall<HedgingEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>>, IOwnedCall<HedgingEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>>
    where TRequest : class
    where TResponse : class
{
    AsyncUnaryCall<TResponse> IOwnedCall<HedgingEngine, TRequest, TResponse, AsyncUnaryCall<TResponse>>.Start<TInvocation>(
        HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation) =>
        HedgingUnaryCall<TRequest, TResponse>.Start(engine, context, found, invocation);

    AsyncServerStreamingCall<TResponse> IOwnedCall<HedgingEngine, TRequest, TResponse, AsyncServerStreamingCall<TResponse>>.Start<TInvocation>(
        HedgingEngine engine, ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, TInvocation invocation) =>
        HedgingServerStreamingCall<TRequest, TResponse>.Start(engine, context, found, invocation);
}
