using ResilientGrpc.Interceptors;
using ResilientGrpc.Interceptors.CircuitBreaker;

namespace ResilientGrpc.Tests.CircuitBreaker.Controller;

/// <summary>
/// Consecutive mode's two rules on their own: failed calls in a row as a caller making one call at a time sees them, and
/// failed attempts in a row once the server has been silent for the minimum. Times are timestamps (ticks here).
/// </summary>
public sealed class ConsecutiveFailuresTests
{
    private const long Silence = 1_000;

    [Test]
    public void FailedCallsInARow_OpenAtTheThresholdAndNotBefore()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 3, Silence);

        Assert.That(health.RecordCallFailure(0, 10, out var first), Is.Null);
        Assert.That(health.RecordCallFailure(10, 20, out var second), Is.Null, "a call admitted the moment the last failed one ended follows it");
        Assert.That(health.RecordCallFailure(30, 40, out var third), Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailures));
        Assert.That((first, second, third), Is.EqualTo((1, 2, 3)));
    }

    [Test]
    public void FailedCallThatOverlappedTheLastCounted_NeitherExtendsNorBreaksTheRun()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 2, Silence);
        health.RecordCallFailure(0, 100, out _);

        Assert.That(health.RecordCallFailure(50, 150, out var overlapping), Is.Null);
        Assert.That(overlapping, Is.EqualTo(1));
        Assert.That(health.RecordCallFailure(100, 200, out var next), Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailures));
        Assert.That(next, Is.EqualTo(2));
    }

    [Test]
    public void Success_EndsTheRunOfFailedCalls_EvenForACallThatOverlappedIt()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 2, Silence);
        health.RecordCallFailure(0, 100, out _);
        health.RecordSuccess();

        // Admitted at 50, before the counted failure ended, and failing after the success: the first of a new run.
        Assert.That(health.RecordCallFailure(50, 200, out var count), Is.Null);
        Assert.That(count, Is.EqualTo(1));
        Assert.That(health.RecordCallFailure(200, 300, out count), Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailures));
        Assert.That(count, Is.EqualTo(2));
    }

    [Test]
    public void Clear_EndsTheRunOfFailedCalls_EvenForACallThatOverlappedIt()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 2, Silence);
        health.RecordCallFailure(0, 100, out _);
        health.Clear();

        Assert.That(health.RecordCallFailure(50, 200, out var count), Is.Null);
        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public void FailedAttemptsInARow_OpenOnceTheFirstIsTheMinimumSilenceOld()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 5, Silence);

        Assert.That(health.RecordAttemptFailure(3, 100, out var first), Is.Null);
        Assert.That(health.RecordAttemptFailure(3, 200, out _), Is.Null);
        Assert.That(health.RecordAttemptFailure(3, 300, out var third), Is.Null, "at the threshold, but the server answered 200 ticks ago");
        Assert.That(health.RecordAttemptFailure(3, 100 + Silence - 1, out _), Is.Null, "one tick short of the silence");
        Assert.That(health.RecordAttemptFailure(3, 100 + Silence, out var last), Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailedAttempts));
        Assert.That((first, third, last), Is.EqualTo((1, 3, 5)));
    }

    [Test]
    public void FailedAttempts_SilentLongEnoughButBelowTheThreshold_StayClosed()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 5, Silence);

        Assert.That(health.RecordAttemptFailure(3, 0, out _), Is.Null);
        Assert.That(health.RecordAttemptFailure(3, 10 * Silence, out var count), Is.Null);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(health.RecordAttemptFailure(3, 10 * Silence, out _), Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailedAttempts));
    }

    [Test]
    public void FailedAttempts_WithoutMinimumSilence_OpenAtTheThreshold()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 5, silence: 0);

        health.RecordAttemptFailure(2, 100, out _);

        Assert.That(health.RecordAttemptFailure(2, 100, out _), Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailedAttempts));
    }

    [Test]
    public void Success_RestartsTheRunOfFailedAttempts_AndItsSilence()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 5, Silence);
        health.RecordAttemptFailure(2, 0, out _);
        health.RecordAttemptFailure(2, 10, out _);
        health.RecordSuccess();

        Assert.That(health.RecordAttemptFailure(2, 2 * Silence, out var count), Is.Null, "the first of a new run");
        Assert.That(count, Is.EqualTo(1));
        Assert.That(health.RecordAttemptFailure(2, (3 * Silence) - 1, out _), Is.Null, "silent since the success, not since the first run");
        Assert.That(health.RecordAttemptFailure(2, 3 * Silence, out count), Is.EqualTo(CircuitStateChangeReason.ConsecutiveFailedAttempts));
        Assert.That(count, Is.EqualTo(3));
    }

    [Test]
    public void Clear_RestartsTheRunOfFailedAttempts()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 5, Silence);
        health.RecordAttemptFailure(2, 0, out _);
        health.Clear();

        Assert.That(health.RecordAttemptFailure(2, 2 * Silence, out var count), Is.Null);
        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public void Success_DoesNotTouchTheOtherRule_WhenOnlyOneHasARun()
    {
        var health = new ConsecutiveFailuresHealth(threshold: 2, silence: 0);
        health.RecordCallFailure(0, 10, out _);
        health.RecordSuccess();
        health.RecordAttemptFailure(2, 20, out _);
        health.RecordSuccess();

        Assert.That(health.RecordCallFailure(30, 40, out var calls), Is.Null);
        Assert.That(health.RecordAttemptFailure(2, 50, out var attempts), Is.Null);
        Assert.That((calls, attempts), Is.EqualTo((1, 1)));
    }
}
