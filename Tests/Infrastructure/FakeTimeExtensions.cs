using Microsoft.Extensions.Time.Testing;

namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>How the tests let fake time pass.</summary>
internal static class FakeTimeExtensions
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="by"/> the way time passes in production: the timers that come
    /// due fire with no synchronization context current, as the system clock's timer thread has none. The library leaves
    /// the caller's context at every await, so the work a timer completes goes on inline only where no context is
    /// current; advancing on the test runner's thread, which has one, would send it to the thread pool instead.
    /// </summary>
    public static void Pass(this FakeTimeProvider time, TimeSpan by)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            time.Advance(by);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }
}
