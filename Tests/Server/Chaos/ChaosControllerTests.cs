using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.Server.Chaos;

public sealed class ChaosControllerTests
{
    [Test]
    public void Apply_InvalidOptions_ThrowsAndKeepsSettingsInForce()
    {
        var controller = new ChaosController(new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0 }, new FakeTimeProvider());

        Assert.That(() => controller.Update(o => o.HangRate = 0.5), Throws.TypeOf<ChaosConfigurationException>());

        Assert.That(controller.Options.HangRate, Is.Zero);
        Assert.That(controller.Decide().Outcome, Is.EqualTo(ChaosOutcome.Error));
    }

    [Test]
    public void Apply_OptionsChangedAfterwards_ChangesNothing()
    {
        var controller = new ChaosController(new ChaosOptions(), new FakeTimeProvider());
        var options = new ChaosOptions { Enabled = true, ErrorRate = 1, HangRate = 0 };

        controller.Apply(options);
        options.Enabled = false;
        controller.Options.ErrorRate = 0;

        Assert.That(controller.Decide().Outcome, Is.EqualTo(ChaosOutcome.Error));
    }

    [Test]
    public void Options_ErrorPushback_KeptInForceAndCopied()
    {
        var controller = new ChaosController(new ChaosOptions(), new FakeTimeProvider());

        controller.Update(o => { o.Enabled = true; o.ErrorRate = 1; o.HangRate = 0; o.ErrorPushback = "-1"; });
        controller.Options.ErrorPushback = "100";

        Assert.That(controller.Options.ErrorPushback, Is.EqualTo("-1"));
        Assert.That(controller.Decide().Pushback, Is.EqualTo("-1"));
    }

    [Test]
    public void Decide_OutageClock_FollowsTimeProviderAndRestarts()
    {
        var time = new FakeTimeProvider();
        var controller = new ChaosController(
            new ChaosOptions { Enabled = true, ErrorRate = 0, HangRate = 0, OutageEvery = TimeSpan.FromSeconds(60), OutageFor = TimeSpan.FromSeconds(10) },
            time);

        var atStart = controller.Decide().Outcome;
        time.Pass(TimeSpan.FromSeconds(10));
        var afterOutage = controller.Decide().Outcome;
        controller.RestartOutageClock();
        var afterRestart = controller.Decide().Outcome;

        Assert.That(atStart, Is.EqualTo(ChaosOutcome.Outage));
        Assert.That(afterOutage, Is.EqualTo(ChaosOutcome.Ok));
        Assert.That(afterRestart, Is.EqualTo(ChaosOutcome.Outage));
    }

    [Test]
    public void Admit_CapacityInForce_ShedsUntilAppliedAgain()
    {
        var options = new ChaosOptions { Enabled = true, ErrorRate = 0, HangRate = 0, CapacityHandlers = 1, ServiceTime = TimeSpan.FromSeconds(1) };
        var controller = new ChaosController(options, new FakeTimeProvider());

        var first = controller.Admit(out _);
        var second = controller.Admit(out _);
        controller.Apply(options);
        var afterApply = controller.Admit(out _);
        controller.Update(o => o.Enabled = false);
        var chaosOff = controller.Admit(out _);

        Assert.That(first.Refused, Is.False);
        Assert.That(second.Refused, Is.True);
        Assert.That(afterApply.Refused, Is.False, "new settings start with every handler free");
        Assert.That(chaosOff, Is.EqualTo(CapacityAdmission.Unlimited));
    }

    [Test]
    public void Apply_SeededOptions_SequenceStartsOver()
    {
        var options = new ChaosOptions { Enabled = true, ErrorRate = 0.5, HangRate = 0, Seed = 11 };
        var controller = new ChaosController(options, new FakeTimeProvider());

        var first = Enumerable.Range(0, 50).Select(_ => controller.Decide()).ToList();
        controller.Apply(options);
        var second = Enumerable.Range(0, 50).Select(_ => controller.Decide()).ToList();

        Assert.That(second, Is.EqualTo(first));
    }
}
