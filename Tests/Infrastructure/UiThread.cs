using System.Collections.Concurrent;

namespace ResilientGrpc.Tests.Infrastructure;

/// <summary>
/// A thread with a single-threaded <see cref="SynchronizationContext"/>, as a WinForms or WPF application's UI thread
/// has: work posted to the context runs on this thread only, one item at a time, so while the thread is blocked in a
/// call nothing posted to it can run. It counts what is posted to its context, so a test can tell whether the library
/// came back to the caller's thread.
/// </summary>
internal sealed class UiThread : IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> queue = [];
    private readonly Thread thread;
    private readonly Context context;

    public UiThread()
    {
        context = new Context(this);
        thread = new Thread(Pump) { IsBackground = true, Name = "ui" };
        thread.Start();
    }

    /// <summary>How many callbacks were posted (or sent) to the thread's context.</summary>
    public int Posted => Volatile.Read(ref context.Posted);

    /// <summary>
    /// Runs <paramref name="work"/> on the thread, with its context current, and returns its result or error. Code
    /// run there that blocks on the library blocks the thread, as a UI event handler would.
    /// </summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add((_ =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception error)
            {
                done.SetException(error);
            }
        }, null));
        return done.Task;
    }

    public void Dispose()
    {
        queue.CompleteAdding();
        thread.Join(TimeSpan.FromSeconds(5));
        queue.Dispose();
    }

    private void Pump()
    {
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            foreach (var (callback, state) in queue.GetConsumingEnumerable())
            {
                callback(state);
            }
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a test still posted: the thread ends.
        }
    }

    private sealed class Context(UiThread owner) : SynchronizationContext
    {
        public int Posted;

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref Posted);
            if (!owner.queue.IsAddingCompleted)
            {
                owner.queue.Add((d, state));
            }
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref Posted);
            if (Environment.CurrentManagedThreadId == owner.thread.ManagedThreadId)
            {
                d(state);
                return;
            }

            var done = new ManualResetEventSlim();
            owner.queue.Add((s => { d(s); done.Set(); }, state));
            done.Wait();
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}
