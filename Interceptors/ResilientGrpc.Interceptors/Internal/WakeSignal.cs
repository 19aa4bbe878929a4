using System.Threading.Tasks.Sources;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// A loop's one reusable wait: armed before the loop looks, it is woken by anything that happens from then on (at once
/// if it happened while looking). Waiting allocates nothing; the loop resumes on the thread pool, not the waker's.
/// </summary>
internal sealed class WakeSignal : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> core = new() { RunContinuationsAsynchronously = true };
    private int armed;

    /// <summary>Arms the signal: from now on, <see cref="Wake"/> ends the next wait.</summary>
    public void Arm()
    {
        core.Reset();
        Volatile.Write(ref armed, 1);
    }

    /// <summary>Something happened: the wait ends, once per arming.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref armed, 0) == 1)
        {
            core.SetResult(true);
        }
    }

    /// <summary>Waits until woken since the last <see cref="Arm"/>.</summary>
    public ValueTask WaitAsync() => new(this, core.Version);

    /// <inheritdoc />
    public ValueTaskSourceStatus GetStatus(short token) => core.GetStatus(token);

    /// <inheritdoc />
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        core.OnCompleted(continuation, state, token, flags);

    /// <inheritdoc />
    public void GetResult(short token) => core.GetResult(token);
}
