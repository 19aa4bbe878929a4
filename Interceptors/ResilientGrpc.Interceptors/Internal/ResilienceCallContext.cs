using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// What the resilience interceptors stacked on one channel share about one call:
/// <list type="bullet">
/// <item>for telemetry, so that each attempt and each call is counted exactly once whatever subset of the
/// interceptors is stacked, and in whatever order: the outermost interceptor creates it and records the call; the
/// innermost one that sees an attempt leave for the network records the attempt;</item>
/// <item>for the circuit breaker below a retry interceptor, so that it can tell a failed attempt that will be retried
/// from a failed call: the retry interceptor marks the calls it retries and confirms a failure once it stops
/// retrying;</item>
/// <item>for a layer below a retry interceptor that only needs to hear how each attempt ended (the deadline's log):
/// the retry loop awaits every attempt anyway and reports its end, so that layer need not wrap the attempt.</item>
/// </list>
/// </summary>
/// <remarks>
/// It travels down the interceptor chain as the call's <see cref="CallOptions.WriteOptions"/>: the one per-call
/// slot that interceptors can pass on and that never reaches the wire. It keeps the caller's write flags, which
/// is all the channel reads from it. When an interceptor between ours replaces the write options, the layers of
/// ours below find it through <see cref="AmbientCall"/>.
/// A call that is traced gets a <see cref="TracedCallContext"/>, which also holds its span: an untraced call's
/// context carries no field for it (it is the one object a healthy call allocates).
/// </remarks>
internal class ResilienceCallContext : WriteOptions
{
    private int attemptClaimed;
    private long attemptStart;
    private int retryAttempts;
    private int committed;
    private long firstAdmission;
    private ICallFailureListener? pendingFailure;
    private ICallObserver? attemptWatcher;
    private int pendingGeneration;

    private protected ResilienceCallContext(WriteFlags flags, IMethod callMethod, string method, string target, long startTimestamp, bool isRecorded)
        : base(flags)
    {
        CallMethod = callMethod;
        Method = method;
        Target = target;
        StartTimestamp = startTimestamp;
        attemptStart = startTimestamp;
        IsRecorded = isRecorded;
    }

    /// <summary>Whether telemetry records this call; false for a context made only for a retried call's breaker.</summary>
    public bool IsRecorded { get; }

    /// <summary>The most attempts a retry interceptor above may make for this call; 0 when none retries it.</summary>
    public int RetryAttempts => Volatile.Read(ref retryAttempts);

    /// <summary>Whether the retry interceptor committed to the current attempt: its failure is the call's.</summary>
    public bool IsCommitted => Volatile.Read(ref committed) == 1;

    /// <summary>The method of the call.</summary>
    public IMethod CallMethod { get; }

    /// <summary>The <c>grpc.method</c> tag value.</summary>
    public string Method { get; }

    /// <summary>The <c>grpc.target</c> tag value.</summary>
    public string Target { get; }

    /// <summary>When the caller started the call (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long StartTimestamp { get; }

    /// <summary>When the current attempt started: the call's start for the first attempt.</summary>
    public long AttemptStart => Volatile.Read(ref attemptStart);

    /// <summary>The call's span, when a listener samples it: started and ended by the interceptor that created this context.</summary>
    public Activity? Span => (this as TracedCallContext)?.CallSpan;

    /// <summary>
    /// The context of a call to <paramref name="method"/> with <paramref name="options"/>, if an interceptor above
    /// created one: carried in the write options, or handed on by an interceptor of ours above when one in between
    /// replaced them (<see cref="AmbientCall"/>).
    /// </summary>
    public static ResilienceCallContext? Of(in CallOptions options, IMethod method) =>
        options.WriteOptions as ResilienceCallContext ?? AmbientCall.For(method);

    /// <summary>
    /// Returns the call's context, creating it (and passing it down through <paramref name="context"/>) when no
    /// interceptor above did and something listens; <paramref name="ownsCall"/> tells whether this caller created it.
    /// A created context holds <paramref name="span"/>, the call's span not started yet, if there is one.
    /// </summary>
    public static ResilienceCallContext? Enter<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context,
        bool record,
        TimeProvider time,
        string? target,
        out bool ownsCall,
        Activity? span = null)
        where TRequest : class
        where TResponse : class
    {
        ownsCall = false;
        var options = context.Options;
        if (Of(options, context.Method) is { } existing)
        {
            return existing.IsRecorded ? existing : null;
        }

        if (!record)
        {
            return null;
        }

        var flags = options.WriteOptions?.Flags ?? default;
        var method = MethodNames.Of(context.Method);
        var callTarget = context.Host ?? target ?? "unknown";
        var created = span is null
            ? new ResilienceCallContext(flags, context.Method, method, callTarget, time.GetTimestamp(), isRecorded: true)
            : new TracedCallContext(flags, context.Method, method, callTarget, time.GetTimestamp(), span);
        context = new ClientInterceptorContext<TRequest, TResponse>(
            context.Method, context.Host, options.WithWriteOptions(created));
        ownsCall = true;
        return created;
    }

    /// <summary>
    /// Marks the call as retried, up to <paramref name="maxAttempts"/> attempts, by the retry interceptor that calls
    /// this; creates an unrecorded context (and passes it down through <paramref name="context"/>) when the call has none.
    /// </summary>
    public static ResilienceCallContext ForRetry<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, int maxAttempts)
        where TRequest : class
        where TResponse : class
    {
        var options = context.Options;
        var call = Of(options, context.Method);
        if (call is null || !ReferenceEquals(options.WriteOptions, call))
        {
            // Carried on in the write options, so that attempts made later, on other threads, still carry it.
            call ??= new ResilienceCallContext(options.WriteOptions?.Flags ?? default, context.Method, string.Empty, string.Empty, 0, isRecorded: false);
            context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options.WithWriteOptions(call));
        }

        Volatile.Write(ref call.retryAttempts, maxAttempts);
        return call;
    }

    /// <summary>
    /// The timestamp of the first attempt a breaker admitted for this call: <paramref name="now"/> for the first, the
    /// first one's for later attempts.
    /// </summary>
    public long FirstAdmission(long now)
    {
        var first = Interlocked.CompareExchange(ref firstAdmission, now, 0);
        return first == 0 ? now : first;
    }

    /// <summary>The retry interceptor committed to the current attempt: a failure of it ends the call.</summary>
    public void Commit() => Volatile.Write(ref committed, 1);

    /// <summary>
    /// A breaker saw the current attempt fail: if the retry interceptor stops here, <paramref name="listener"/> learns
    /// of a failed call. Replaces what an earlier attempt left.
    /// </summary>
    public void DeferFailure(ICallFailureListener listener, int generation)
    {
        pendingGeneration = generation;
        Volatile.Write(ref pendingFailure, listener);
    }

    /// <summary>The current attempt did not fail (or does not count): nothing is pending.</summary>
    public void ClearDeferredFailure()
    {
        // A healthy call has nothing pending: a read, and no write.
        if (Volatile.Read(ref pendingFailure) is not null)
        {
            Volatile.Write(ref pendingFailure, null);
        }
    }

    /// <summary>
    /// Called by the retry interceptor when it stops retrying a failed call (for any reason but the caller's own
    /// cancellation): the breaker that saw the last attempt fail counts a failed call.
    /// </summary>
    public void ConfirmFailure()
    {
        if (Interlocked.Exchange(ref pendingFailure, null) is { } listener)
        {
            listener.OnCallFailed(pendingGeneration, Interlocked.Read(ref firstAdmission));
        }
    }

    /// <summary>
    /// Lets <paramref name="watcher"/> learn how the current attempt ends without wrapping it, when a retry
    /// interceptor above awaits each attempt anyway and reports its end (<see cref="AttemptEnded"/>). False when none
    /// does, or another watcher already waits on this attempt: the caller must then observe the attempt itself.
    /// </summary>
    public bool TryWatchAttempt(ICallObserver watcher) =>
        RetryAttempts > 0 && Interlocked.CompareExchange(ref attemptWatcher, watcher, null) is null;

    /// <summary>Called by the retry interceptor when an attempt has ended with <paramref name="error"/> (null: success).</summary>
    public void AttemptEnded(Exception? error)
    {
        if (Volatile.Read(ref attemptWatcher) is not null && Interlocked.Exchange(ref attemptWatcher, null) is { } watcher)
        {
            watcher.OnEnded(error, default);
        }
    }

    /// <summary>
    /// Called before each attempt leaves an interceptor that makes several, at <paramref name="now"/>: the attempt is
    /// nobody's yet.
    /// </summary>
    public void OpenAttempt(long now)
    {
        Volatile.Write(ref attemptStart, now);
        Volatile.Write(ref attemptClaimed, 0);
    }

    /// <summary>
    /// Called by each interceptor once its continuation has started an attempt. The first caller, which is the
    /// innermost interceptor, wins and records the attempt.
    /// </summary>
    public bool TryClaimAttempt() => Interlocked.Exchange(ref attemptClaimed, 1) == 0;

    /// <summary>Called when an interceptor refuses a call itself: no attempt reaches the network.</summary>
    public void RefuseAttempt() => Volatile.Write(ref attemptClaimed, 1);

}
