using ResilientGrpc.Interceptors.Hedging;

namespace ResilientGrpc.Tests.Hedging;

/// <summary>The hedging loop's reusable wait: woken from timers, headers, outcomes and cancellation on other threads at once.</summary>
[TestFixture]
public sealed class WakeSignalTests
{
    [Test]
    public async Task A_wake_before_the_wait_completes_it_at_once()
    {
        var signal = new WakeSignal();
        signal.Arm();
        signal.Wake();

        var wait = signal.WaitAsync();

        Assert.That(wait.IsCompletedSuccessfully, Is.True);
        await wait;
    }

    [Test]
    public void A_wake_before_arming_is_not_kept_for_the_next_wait()
    {
        var signal = new WakeSignal();
        signal.Wake();
        signal.Arm();

        Assert.That(signal.WaitAsync().IsCompleted, Is.False);
    }

    [Test]
    public async Task A_wait_resumes_when_another_thread_wakes_it()
    {
        var signal = new WakeSignal();
        signal.Arm();
        var wait = signal.WaitAsync().AsTask();

        await Task.Run(signal.Wake);

        Assert.That(await Task.WhenAny(wait, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(wait));
    }

    // The loop re-arms without waiting whenever it found work; wakers racing that re-arming must neither throw nor complete a wait twice.
    [Test]
    public async Task Wakers_racing_a_loop_that_rearms_never_fault_and_every_wait_ends()
    {
        var signal = new WakeSignal();
        using var stop = new CancellationTokenSource();
        var faults = 0;
        var wakers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    signal.Wake();
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref faults);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        var waits = 0;
        for (var round = 0; round < 100_000 && Volatile.Read(ref faults) == 0; round++)
        {
            signal.Arm();
            if (round % 4 == 0)
            {
                await signal.WaitAsync();
                waits++;
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(wakers);

        Assert.Multiple(() =>
        {
            Assert.That(faults, Is.Zero, "a wake completed the wait twice");
            Assert.That(waits, Is.EqualTo(25_000));
        });
    }
}
