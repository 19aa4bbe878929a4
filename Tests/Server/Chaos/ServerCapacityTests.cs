using Microsoft.Extensions.Time.Testing;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Tests.Server.Chaos;

public sealed class ServerCapacityTests
{
    private static readonly TimeSpan Service = TimeSpan.FromMilliseconds(20);

    [Test]
    public void Admit_HandlerFree_ServesAtOnceForTheServiceTime()
    {
        var capacity = new ServerCapacity(Capacity(handlers: 2, CapacityOverflow.Shed), new FakeTimeProvider());

        var first = capacity.Admit();
        var second = capacity.Admit();

        Assert.That(new[] { first, second }, Is.All.EqualTo(CapacityAdmission.Served(TimeSpan.Zero, Service)));
    }

    [Test]
    public void Admit_EveryHandlerBusyAndShed_RefusesWithThePushback()
    {
        var options = Capacity(handlers: 2, CapacityOverflow.Shed);
        options.ErrorPushback = "-1";
        var capacity = new ServerCapacity(options, new FakeTimeProvider());
        capacity.Admit();
        capacity.Admit();

        var third = capacity.Admit();

        Assert.That(third.Refused, Is.True);
        Assert.That(third.Pushback, Is.EqualTo("-1"));
    }

    [Test]
    public void Admit_HandlerDoneWithItsCall_ServesTheNextAtOnce()
    {
        var time = new FakeTimeProvider();
        var capacity = new ServerCapacity(Capacity(handlers: 1, CapacityOverflow.Shed), time);
        capacity.Admit();

        time.Advance(Service - TimeSpan.FromMilliseconds(1));
        var tooEarly = capacity.Admit();
        time.Advance(TimeSpan.FromMilliseconds(1));
        var onTime = capacity.Admit();

        Assert.That(tooEarly.Refused, Is.True);
        Assert.That(onTime, Is.EqualTo(CapacityAdmission.Served(TimeSpan.Zero, Service)));
    }

    [Test]
    public void Answered_BeforeItsScheduledEnd_FreesTheHandlerThen()
    {
        // A timer fires up to a few milliseconds early: the handler is free once its call is answered, not later.
        var time = new FakeTimeProvider();
        var capacity = new ServerCapacity(Capacity(handlers: 1, CapacityOverflow.Shed), time);
        capacity.Admit(out var handler);
        time.Advance(Service - TimeSpan.FromMilliseconds(2));

        handler.Answered();
        var next = capacity.Admit();

        Assert.That(next, Is.EqualTo(CapacityAdmission.Served(TimeSpan.Zero, Service)));
    }

    [Test]
    public void Answered_AfterAnotherCallTookTheHandler_LeavesThatCallsSchedule()
    {
        // Answered late: the handler was free by the schedule and went to the next call, which keeps it for its service time.
        var time = new FakeTimeProvider();
        var capacity = new ServerCapacity(Capacity(handlers: 1, CapacityOverflow.Shed), time);
        capacity.Admit(out var late);
        time.Advance(Service);
        var next = capacity.Admit();
        time.Advance(TimeSpan.FromMilliseconds(1));

        late.Answered();
        var third = capacity.Admit();

        Assert.That(next.Refused, Is.False);
        Assert.That(third.Refused, Is.True);
    }

    [Test]
    public void Answered_EarlyWithACallQueuedBehind_TheQueuedScheduleStands()
    {
        var time = new FakeTimeProvider();
        var capacity = new ServerCapacity(Capacity(handlers: 1, CapacityOverflow.Queue), time);
        capacity.Admit(out var first);
        capacity.Admit();
        time.Advance(Service - TimeSpan.FromMilliseconds(2));

        first.Answered();
        var third = capacity.Admit();

        Assert.That(third.Wait, Is.EqualTo(2 * Service - (Service - TimeSpan.FromMilliseconds(2))));
    }

    [Test]
    public void Admit_EveryHandlerBusyAndQueue_WaitsInOrderOfArrival()
    {
        var capacity = new ServerCapacity(Capacity(handlers: 2, CapacityOverflow.Queue), new FakeTimeProvider());

        var waits = Enumerable.Range(0, 5).Select(_ => capacity.Admit().Wait.TotalMilliseconds).ToList();

        Assert.That(waits, Is.EqualTo(new[] { 0.0, 0, 20, 20, 40 }));
    }

    [Test]
    public void Admit_CallerOfAQueuedCallGone_ItsHandlerTimeIsStillSpent()
    {
        // Nothing tells the schedule that a caller left: the call behind it waits as long as if it had stayed.
        var time = new FakeTimeProvider();
        var capacity = new ServerCapacity(Capacity(handlers: 1, CapacityOverflow.Queue), time);
        capacity.Admit();
        capacity.Admit();

        time.Advance(Service);
        var next = capacity.Admit();

        Assert.That(next.Wait, Is.EqualTo(Service));
        Assert.That(next.ServedAfter, Is.EqualTo(2 * Service));
    }

    [TestCase(CapacityOverflow.Shed)]
    [TestCase(CapacityOverflow.Queue)]
    public void Admit_OpenLoopAtTwiceCapacityForOneSecond_ServesCapacityAndShedsOrQueuesTheRest(CapacityOverflow overflow)
    {
        // 8 handlers × 20 ms = 400 calls/s; 800 arrivals 1.25 ms apart.
        var time = new FakeTimeProvider();
        var capacity = new ServerCapacity(Capacity(handlers: 8, overflow), time);
        var admissions = new List<CapacityAdmission>();

        for (var i = 0; i < 800; i++)
        {
            admissions.Add(capacity.Admit());
            time.Advance(TimeSpan.FromTicks(12_500));
        }

        if (overflow == CapacityOverflow.Shed)
        {
            Assert.That(admissions.Count(a => a.Refused), Is.InRange(396, 404), "half of the calls are over capacity");
        }
        else
        {
            Assert.That(admissions.Count(a => a.Refused), Is.Zero);
            Assert.That(admissions[^1].Wait.TotalMilliseconds, Is.EqualTo(1_000).Within(25), "the queue grows by 400 calls, a second of work");
        }
    }

    [Test]
    public void Admit_ConstantServiceTime_EveryCallTakesExactlyIt()
    {
        var capacity = new ServerCapacity(Capacity(handlers: ChaosOptions.MaxCapacityHandlers, CapacityOverflow.Shed), new FakeTimeProvider());

        var services = Enumerable.Range(0, 1_000).Select(_ => capacity.Admit().Service).Distinct();

        Assert.That(services, Is.EqualTo(new[] { Service }));
    }

    [Test]
    public void Admit_ExponentialServiceTime_VariesWithTheConfiguredMean()
    {
        const int Draws = 10_000;
        var options = Capacity(handlers: ChaosOptions.MaxCapacityHandlers, CapacityOverflow.Shed);
        options.ServiceTimeVariation = ServiceTimeVariation.Exponential;
        options.Seed = 3;
        var capacity = new ServerCapacity(options, new FakeTimeProvider());

        var services = Enumerable.Range(0, Draws).Select(_ => capacity.Admit().Service.TotalMilliseconds).ToList();

        // An exponential's standard deviation equals its mean: the sample mean is within 4 σ/√n of 20 ms.
        var sigmaOfMean = 20.0 / Math.Sqrt(Draws);
        Assert.That(services.Average(), Is.EqualTo(20).Within(4 * sigmaOfMean));
        Assert.That(services.Count(s => s > 20), Is.InRange(0.33 * Draws, 0.41 * Draws), "e^-1 ≈ 37 % of draws exceed the mean");
    }

    [Test]
    public void Admit_ExponentialServiceTimeSameSeed_SameSequence()
    {
        var options = Capacity(handlers: 1, CapacityOverflow.Queue);
        options.ServiceTimeVariation = ServiceTimeVariation.Exponential;
        options.Seed = 9;

        var first = new ServerCapacity(options, new FakeTimeProvider());
        var second = new ServerCapacity(options, new FakeTimeProvider());

        Assert.That(
            Enumerable.Range(0, 100).Select(_ => first.Admit()),
            Is.EqualTo(Enumerable.Range(0, 100).Select(_ => second.Admit())));
    }

    [Test]
    public void For_ChaosOffOrNoHandlers_NoCapacity()
    {
        var off = Capacity(handlers: 8, CapacityOverflow.Shed);
        off.Enabled = false;

        Assert.That(ServerCapacity.For(off, TimeProvider.System), Is.Null);
        Assert.That(ServerCapacity.For(new ChaosOptions { Enabled = true }, TimeProvider.System), Is.Null);
        Assert.That(ServerCapacity.For(Capacity(handlers: 8, CapacityOverflow.Shed), TimeProvider.System), Is.Not.Null);
    }

    private static ChaosOptions Capacity(int handlers, CapacityOverflow overflow) => new()
    {
        Enabled = true,
        ErrorRate = 0,
        HangRate = 0,
        CapacityHandlers = handlers,
        ServiceTime = Service,
        Overflow = overflow,
    };
}
