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
/// find the context through <see cref="AmbientCall"/>. A call that telemetry records
/// gets a recorded context (<c>Telemetry/RecordedCallContext.cs</c>), which holds the telemetry's bookkeeping; an owner's
/// own call object carries none of it.
/// </remarks>
internal abstract class ResilienceCallContext : CallAttempts
{
    private protected ResilienceCallContext(WriteFlags flags, IMethod callMethod)
        : base(flags) => CallMethod = callMethod;

    /// <summary>The context of an owner's call that no telemetry records: the owner's own call object.</summary>
    private protected ResilienceCallContext(in CallOptions options, IMethod callMethod)
        : this(options.WriteOptions?.Flags ?? default, callMethod)
    {
    }

    /// <summary>The method of the call.</summary>
    public IMethod CallMethod { get; }

    /// <summary>The call's span, when a listener samples it; started and ended by the layer that created the context.</summary>
    public virtual Activity? Span => null;

    /// <summary>
    /// The context of a call to <paramref name="method"/> with <paramref name="options"/>, if a layer of ours above
    /// made one: carried in the write options, or handed on by a layer of ours above when one in between replaced them
    /// (<see cref="AmbientCall"/>). Each layer looks it up once per attempt.
    /// </summary>
    public static ResilienceCallContext? Of(in CallOptions options, IMethod method) =>
        options.WriteOptions as ResilienceCallContext ?? AmbientCall.For(method);

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
}
