using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// What our layers on one channel share about one call: its attempts (<see cref="CallAttempts"/>) and, when telemetry
/// records it, its bookkeeping (<c>Telemetry/RecordedCallContext.cs</c>). It travels with every attempt in
/// <see cref="CallOptions.WriteOptions"/>, the per-call slot interceptors pass on and the wire never sees (it keeps the
/// caller's write flags, all the channel reads from it), or through <see cref="AmbientCall"/> if a layer replaced them.
/// </summary>
/// <remarks>
/// The first layer to need one makes it: the telemetry when it records the call, else an owner of several attempts,
/// whose own call object is then the context. A call that neither records nor has an owner carries none.
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

    public IMethod CallMethod { get; }

    /// <summary>The call's span, when a listener samples it; started and ended by the layer that created the context.</summary>
    public virtual Activity? Span => null;

    /// <summary>The context of a call with <paramref name="options"/>, if a layer above made one; each layer looks it up once per attempt.</summary>
    public static ResilienceCallContext? Of(in CallOptions options, IMethod method) =>
        options.WriteOptions as ResilienceCallContext ?? AmbientCall.For(method);

    /// <summary>
    /// The context an owner's attempts carry in <paramref name="context"/>: <paramref name="found"/>, from above (put back in
    /// the write options if a layer between replaced them, for attempts made later on other threads), else <paramref name="owner"/>.
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

/// <summary>
/// The call's context a layer of ours is handing to the next on this thread, for when an interceptor between ours
/// replaced the write options that carry it (the layers below would count the call again). It holds for the synchronous
/// start of the call below, where every layer joins; one that starts it later on another thread is not covered.
/// </summary>
internal readonly struct AmbientCall : IDisposable
{
    [ThreadStatic]
    private static ResilienceCallContext? current;

    private readonly ResilienceCallContext? previous;
    private readonly bool entered;

    private AmbientCall(ResilienceCallContext? previous)
    {
        this.previous = previous;
        entered = true;
    }

    /// <summary>The context being handed on for a call of <paramref name="method"/> on this thread, if any.</summary>
    public static ResilienceCallContext? For(IMethod method) =>
        current is { } call && ReferenceEquals(call.CallMethod, method) ? call : null;

    /// <summary>Makes the context of the call with <paramref name="options"/> the one handed on, until disposed.</summary>
    public static AmbientCall Hand(in CallOptions options, IMethod method)
    {
        var call = ResilienceCallContext.Of(options, method);
        if (call is null || ReferenceEquals(call, current))
        {
            return default;
        }

        var outer = current;
        current = call;
        return new AmbientCall(outer);
    }

    /// <summary>Restores the context handed on before this scope.</summary>
    public void Dispose()
    {
        if (entered)
        {
            current = previous;
        }
    }
}
