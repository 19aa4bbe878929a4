using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// What the layers of ours stacked on one channel share about one call, carried with every attempt in
/// <see cref="CallOptions.WriteOptions"/> (the one per-call slot interceptors pass on and the wire never sees; it keeps
/// the caller's write flags, which is all the channel reads from it). Two things, and nothing else:
/// <list type="bullet">
/// <item>the attempts of the call, as an owner of several attempts declares them to the layers below
/// (<see cref="CallAttempts"/>, the contract between them);</item>
/// <item>the telemetry's bookkeeping, so each attempt and each call is counted exactly once whatever subset of our
/// layers is stacked, and in whatever order: the outermost layer that records creates the context and records the
/// call; the innermost one that sees an attempt leave records the attempt.</item>
/// </list>
/// </summary>
/// <remarks>
/// It is made by the first of our layers to need one: by the telemetry when it records the call, else by an owner of
/// several attempts, whose own call object is then the context (one object for both). A call that neither records nor
/// has an owner carries none. When an interceptor between ours replaces the write options, the layers of ours below
/// find the context through <see cref="AmbientCall"/>. A call that is traced gets a <see cref="TracedCallContext"/>.
/// </remarks>
internal class ResilienceCallContext : CallAttempts
{
    private int attemptClaimed;
    private long attemptStart;

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

    /// <summary>The context of an owner's call that no telemetry records: the owner's own call object.</summary>
    private protected ResilienceCallContext(in CallOptions options, IMethod callMethod)
        : this(options.WriteOptions?.Flags ?? default, callMethod, string.Empty, string.Empty, 0, isRecorded: false)
    {
    }

    /// <summary>Whether telemetry records this call.</summary>
    public bool IsRecorded { get; }

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

    /// <summary>The call's span, when a listener samples it: started and ended by the layer that created this context.</summary>
    public Activity? Span => (this as TracedCallContext)?.CallSpan;

    /// <summary>
    /// The context of a call to <paramref name="method"/> with <paramref name="options"/>, if a layer of ours above
    /// made one: carried in the write options, or handed on by a layer of ours above when one in between replaced them
    /// (<see cref="AmbientCall"/>). Each layer looks it up once per attempt.
    /// </summary>
    public static ResilienceCallContext? Of(in CallOptions options, IMethod method) =>
        options.WriteOptions as ResilienceCallContext ?? AmbientCall.For(method);

    /// <summary>
    /// Creates the context of a call that telemetry records, and passes it down through <paramref name="context"/>.
    /// It holds <paramref name="span"/>, the call's span not started yet, if there is one.
    /// </summary>
    public static ResilienceCallContext Create<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, TimeProvider time, string? target, Activity? span)
        where TRequest : class
        where TResponse : class
    {
        var options = context.Options;
        var flags = options.WriteOptions?.Flags ?? default;
        var method = MethodNames.Of(context.Method);
        var callTarget = context.Host ?? target ?? "unknown";
        var created = span is null
            ? new ResilienceCallContext(flags, context.Method, method, callTarget, time.GetTimestamp(), isRecorded: true)
            : new TracedCallContext(flags, context.Method, method, callTarget, time.GetTimestamp(), span);
        context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, options.WithWriteOptions(created));
        return created;
    }

    /// <summary>
    /// The context the attempts of an owner of several attempts carry: <paramref name="found"/>, the call's, if a layer
    /// above made one (then carried in <paramref name="context"/>'s write options again if a layer between replaced
    /// them, so that attempts made later, on other threads, still carry it); else <paramref name="owner"/>'s own call
    /// object, passed down through <paramref name="context"/>.
    /// </summary>
    public static ResilienceCallContext Adopt<TRequest, TResponse>(
        ref ClientInterceptorContext<TRequest, TResponse> context, ResilienceCallContext? found, ResilienceCallContext owner)
        where TRequest : class
        where TResponse : class
    {
        var shared = found ?? owner;
        if (!ReferenceEquals(context.Options.WriteOptions, shared))
        {
            context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithWriteOptions(shared));
        }

        return shared;
    }

    /// <summary>
    /// Called before each attempt leaves an owner of several attempts, at <paramref name="now"/>: the attempt is
    /// nobody's yet.
    /// </summary>
    public void OpenAttempt(long now)
    {
        Volatile.Write(ref attemptStart, now);
        Volatile.Write(ref attemptClaimed, 0);
    }

    /// <summary>
    /// Called by each layer once its continuation has started an attempt. The first caller, which is the innermost
    /// layer, wins and records the attempt.
    /// </summary>
    public bool TryClaimAttempt() => Interlocked.Exchange(ref attemptClaimed, 1) == 0;

    /// <summary>Called when a layer refuses a call itself: no attempt reaches the network.</summary>
    public void RefuseAttempt() => Volatile.Write(ref attemptClaimed, 1);
}
