using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// The call an interceptor of ours is handing to the next interceptor on this thread. The call's context normally
/// travels in <see cref="CallOptions.WriteOptions"/>; an interceptor stacked between ours that replaces the
/// write options would cut it, and the layers below would count the call a second time. Every layer of ours hands
/// the call on inside a scope of this type, so a layer below finds the context here when the write options no
/// longer carry it.
/// </summary>
/// <remarks>
/// It holds for the synchronous start of the call below, which is where every layer joins the call. An interceptor
/// between ours that starts the call below later, on another thread, and also replaces the write options, is not
/// covered.
/// </remarks>
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
