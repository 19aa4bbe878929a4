using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>What our layers share about one call, carried in <see cref="CallOptions.WriteOptions"/> (see docs/architecture.md).</summary>
internal abstract class ResilienceCallContext : CallAttempts
{
    private protected ResilienceCallContext(WriteFlags flags, IMethod callMethod)
        : base(flags) => CallMethod = callMethod;

    private protected ResilienceCallContext(in CallOptions options, IMethod callMethod)
        : this(options.WriteOptions?.Flags ?? default, callMethod)
    {
    }

    public IMethod CallMethod { get; }

    /// <summary>The call's span, when a listener samples it; started and ended by the layer that created the context.</summary>
    public virtual Activity? Span => null;

    public static ResilienceCallContext? Of(in CallOptions options, IMethod method) =>
        options.WriteOptions as ResilienceCallContext ?? AmbientCall.For(method);

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

/// <summary>The call's context a layer of ours hands to the next on this thread, should a foreign interceptor between drop the write options.</summary>
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

    public static ResilienceCallContext? For(IMethod method) =>
        current is { } call && ReferenceEquals(call.CallMethod, method) ? call : null;

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

    public void Dispose()
    {
        if (entered)
        {
            current = previous;
        }
    }
}
