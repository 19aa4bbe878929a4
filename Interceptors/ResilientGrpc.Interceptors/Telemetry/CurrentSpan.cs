using System.Diagnostics;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// Makes a call's span current, until disposed, where our layers act for the call on another thread (a read, a timer):
/// grpc-dotnet's activity of an attempt is then its child, and a breaker's transition finds its call.
/// </summary>
internal readonly struct CurrentSpan : IDisposable
{
    private readonly Activity? previous;
    private readonly bool entered;

    private CurrentSpan(Activity? previous)
    {
        this.previous = previous;
        entered = true;
    }

    /// <summary>Makes <paramref name="span"/> current, when there is one and it is not already.</summary>
    public static CurrentSpan Of(Activity? span)
    {
        if (span is null || span.IsStopped || ReferenceEquals(Activity.Current, span))
        {
            return default;
        }

        var previous = Activity.Current;
        Activity.Current = span;
        return new CurrentSpan(previous);
    }

    /// <summary>Makes the activity current before this scope current again.</summary>
    public void Dispose()
    {
        if (entered)
        {
            Activity.Current = CallTracing.Usable(previous);
        }
    }
}
