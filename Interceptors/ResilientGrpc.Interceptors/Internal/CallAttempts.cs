using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// The contract between a layer that sends several attempts for one call (the owner: retry sends them one after
/// another, hedging lets them overlap) and the layers of ours below it, which see each attempt as a call of its own.
/// It is all they say to each other: an owner never names a layer below, and a layer below never names an owner.
/// </summary>
/// <remarks>
/// <para>
/// <b>The owner declares</b>, before its first attempt leaves (<see cref="DeclareAttempts"/>), that the call may take up
/// to <see cref="MaxAttempts"/> attempts, and whether it reports the end of each (<see cref="AttemptsReport"/>: it does
/// when it sends them one after another and each one's outcome is its end, as a unary retry's is, and as a unary hedged
/// call's is until its first hedge leaves).
/// </para>
/// <para><b>The owner reports</b>, as it happens:</para>
/// <list type="bullet">
/// <item><see cref="Overlap"/>: it is about to send an attempt while an earlier one may still run (a hedge); from then
/// on it reports no attempt's end but the one already watched.</item>
/// <item><see cref="Commit"/>: it will send no attempt after the current one (a stream the caller has started reading);
/// a failure of that attempt is the call's (<see cref="IsFinalAttempt"/>).</item>
/// <item><see cref="CallFailed"/>: the call has failed for good (its last attempt failed and none follows), for any
/// reason but its caller's cancellation. A layer below that deferred an attempt's failure now counts the call's.</item>
/// <item><see cref="AttemptEnded"/>: an owner that reports ends awaits each attempt anyway, and tells the layers below
/// that asked (<see cref="TryWatchAttempt"/>) how it ended, so they need not wrap the attempt to learn it.</item>
/// </list>
/// <para><b>A layer below may</b>, with an attempt it sees:</para>
/// <list type="bullet">
/// <item>read <see cref="MaxAttempts"/> and <see cref="IsFinalAttempt"/>;</item>
/// <item>stamp the call's start once (<see cref="StampCallStart"/>), so every attempt it sees carries the same start;</item>
/// <item>defer the failure of an attempt that may still be rescued (<see cref="DeferFailure"/>): the owner calls the
/// listener once if the call fails for good; an attempt that succeeds, or does not count, clears it
/// (<see cref="ClearDeferredFailure"/>);</item>
/// <item>ask to be told the end of the current attempt instead of wrapping it (<see cref="TryWatchAttempt"/>; at most
/// three layers, and only under an owner that reports ends).</item>
/// </list>
/// <para>
/// The circuit breaker uses all of it: its opening rule, the only reader of <see cref="MaxAttempts"/> and the deferred
/// failure, is <c>CircuitBreaker/OpeningRule.cs</c>. The overload layers (<c>Overload/</c>: the concurrency limit, adaptive
/// throttling) and the deadline's log watch attempts. Retry
/// (<c>Retry/RetryingCall.cs</c>) and hedging (<c>Hedging/HedgingCall.cs</c>) are the owners and speak it alike, so a
/// rule fixed for one is fixed for both.
/// </para>
/// <para>
/// It travels with every attempt in the call's <see cref="ResilienceCallContext"/>. A call made by no owner reads as one
/// attempt: <see cref="MaxAttempts"/> 0, final, nothing to defer or watch. Thread-safe: an owner and the layers below may
/// call it from different threads.
/// </para>
/// </remarks>
internal abstract class CallAttempts : WriteOptions
{
    private IAttemptWatcher? firstWatcher;
    private long firstToken;
    private IAttemptWatcher? secondWatcher;
    private long secondToken;
    private IAttemptWatcher? thirdWatcher;
    private long thirdToken;
    private int maxAttempts;
    private int reports;
    private int committed;
    private long callStart;
    private ICallFailureListener? deferred;
    private int deferredGeneration;

    private protected CallAttempts(WriteFlags flags)
        : base(flags)
    {
    }

    /// <summary>The most attempts the call may take, the first included; 0 when no owner sends several.</summary>
    public int MaxAttempts => Volatile.Read(ref maxAttempts);

    /// <summary>Whether no attempt follows the current one whatever its outcome: its failure is the call's.</summary>
    public bool IsFinalAttempt => MaxAttempts <= 1 || Volatile.Read(ref committed) == 1;

    // The owner's side.

    /// <summary>The owner declares that the call may take up to <paramref name="attempts"/> attempts, and what it reports of them.</summary>
    public void DeclareAttempts(int attempts, AttemptsReport report)
    {
        Volatile.Write(ref reports, (int)report);
        Volatile.Write(ref maxAttempts, attempts);
    }

    /// <summary>The owner sends no attempt after the current one: its failure is the call's.</summary>
    public void Commit() => Volatile.Write(ref committed, 1);

    /// <summary>
    /// The owner is about to send an attempt while an earlier one may still run: it reports no later attempt's end, so
    /// the layers below the next attempts observe them themselves. The end of an attempt already watched is still reported.
    /// </summary>
    public void Overlap() => Volatile.Write(ref reports, (int)AttemptsReport.None);

    /// <summary>The call failed for good (not by its caller's cancellation): a layer below that deferred a failure counts it now, once.</summary>
    public void CallFailed()
    {
        if (Interlocked.Exchange(ref deferred, null) is { } listener)
        {
            listener.OnCallFailed(Volatile.Read(ref deferredGeneration), Interlocked.Read(ref callStart));
        }
    }

    /// <summary>An attempt ended with <paramref name="error"/> (null: success): each layer watching it hears once.</summary>
    public void AttemptEnded(Exception? error, CancellationToken callerToken)
    {
        Report(ref firstWatcher, firstToken, error, callerToken);
        Report(ref secondWatcher, secondToken, error, callerToken);
        Report(ref thirdWatcher, thirdToken, error, callerToken);
    }

    // The side of the layers below.

    /// <summary>The call's start as the first layer below to ask saw it (<paramref name="now"/>, a timestamp), the same for every later attempt.</summary>
    public long StampCallStart(long now)
    {
        var first = Interlocked.CompareExchange(ref callStart, now, 0);
        return first == 0 ? now : first;
    }

    /// <summary>
    /// The current attempt failed but the owner may still rescue the call: <paramref name="listener"/> learns of the
    /// call's failure if it comes (<see cref="CallFailed"/>). Replaces what an earlier attempt deferred.
    /// </summary>
    public void DeferFailure(ICallFailureListener listener, int generation)
    {
        Volatile.Write(ref deferredGeneration, generation);
        Volatile.Write(ref deferred, listener);
    }

    /// <summary>An attempt succeeded (or does not count): nothing is deferred any more.</summary>
    public void ClearDeferredFailure()
    {
        // A healthy call has nothing deferred: a read, and no write.
        if (Volatile.Read(ref deferred) is not null)
        {
            Volatile.Write(ref deferred, null);
        }
    }

    /// <summary>
    /// Asks to be told how the current attempt ends, with <paramref name="token"/>, the watcher's note. False when no owner
    /// reports ends or three layers already watch it: the caller must then observe the attempt itself.
    /// </summary>
    public bool TryWatchAttempt(IAttemptWatcher watcher, long token)
    {
        // A call made by no owner has no report declared (None), so it is never watched either.
        if (Volatile.Read(ref reports) != (int)AttemptsReport.Sequential)
        {
            return false;
        }

        // Layers ask while the attempt starts, one after another on the thread that starts it, before it can end.
        return Claim(ref firstWatcher, ref firstToken, watcher, token) || Claim(ref secondWatcher, ref secondToken, watcher, token)
            || Claim(ref thirdWatcher, ref thirdToken, watcher, token);
    }

    private static bool Claim(ref IAttemptWatcher? slot, ref long slotToken, IAttemptWatcher watcher, long token)
    {
        if (Volatile.Read(ref slot) is not null)
        {
            return false;
        }

        slotToken = token;
        Volatile.Write(ref slot, watcher);
        return true;
    }

    private void Report(ref IAttemptWatcher? slot, long token, Exception? error, CancellationToken callerToken)
    {
        if (Volatile.Read(ref slot) is not null && Interlocked.Exchange(ref slot, null) is { } watcher)
        {
            watcher.OnAttemptEnded(this, token, error, callerToken);
        }
    }
}
