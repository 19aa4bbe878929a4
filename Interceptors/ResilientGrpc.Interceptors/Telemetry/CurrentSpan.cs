using System.Diagnostics;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// Makes a call's span the current activity while our layers act on the call's behalf on a thread where it may not
/// be (an attempt started from a stream read or a timer, a retry confirming a failure), until disposed: grpc-dotnet's
/// activity of that attempt is then the span's child, and a breaker's transition finds the call it belongs to.
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
