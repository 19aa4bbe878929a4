using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

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
