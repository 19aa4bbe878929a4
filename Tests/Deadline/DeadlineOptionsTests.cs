using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Deadline;

public sealed class DeadlineOptionsTests
{
    [Test]
    public void Defaults_AreTwoSecondsAndNoOverrides()
    {
        var options = new DeadlineOptions();

        Assert.That(options.Timeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(options.MethodTimeouts, Is.Empty);
        Assert.That(options.StreamIdleTimeouts, Is.Empty);
        Assert.DoesNotThrow(options.Validate);
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Constructor_NonPositiveTimeout_ThrowsNamingTimeout(int seconds)
    {
        var options = new DeadlineOptions { Timeout = TimeSpan.FromSeconds(seconds) };

        var error = Assert.Throws<ArgumentException>(() => _ = new DeadlineInterceptor(options));

        Assert.That(error!.Message, Does.Contain("DeadlineOptions.Timeout"));
    }

    [TestCase("Timeout", "DeadlineOptions.Timeout is 00:00:00; it must be greater than zero or Timeout.InfiniteTimeSpan.")]
    [TestCase("MethodTimeouts", "DeadlineOptions.MethodTimeouts is null; it must not be null.")]
    [TestCase("MethodTimeouts key", "DeadlineOptions.MethodTimeouts is  ; keys must be full method names or service names.")]
    public void Constructor_BadOption_MessageGivesTheValueAndWhatIsAllowed(string setting, string sentence)
    {
        var options = new DeadlineOptions();
        switch (setting)
        {
            case "Timeout": options.Timeout = TimeSpan.Zero; break;
            case "MethodTimeouts": options.MethodTimeouts = null!; break;
            default: options.MethodTimeouts[" "] = TimeSpan.FromSeconds(1); break;
        }

        var error = Assert.Throws<ArgumentException>(() => _ = new DeadlineInterceptor(options));

        Assert.That(error!.Message, Is.EqualTo($"Invalid DeadlineOptions: {sentence} (Parameter 'DeadlineOptions')"));
    }

    [Test]
    public void Constructor_InfiniteTimeout_IsAccepted()
    {
        var options = new DeadlineOptions { Timeout = Timeout.InfiniteTimeSpan };

        Assert.DoesNotThrow(() => _ = new DeadlineInterceptor(options));
    }

    [Test]
    public void Constructor_EveryProblem_IsReportedInOneException()
    {
        var options = new DeadlineOptions
        {
            Timeout = TimeSpan.Zero,
            MethodTimeouts = { [" "] = TimeSpan.FromSeconds(1), ["/unstable.v1.UnstableService/Process"] = TimeSpan.FromSeconds(-3) },
        };

        var error = Assert.Throws<ArgumentException>(() => _ = new DeadlineInterceptor(options));

        Assert.That(error!.Message, Does.Contain("DeadlineOptions.Timeout is 00:00:00"));
        Assert.That(error.Message, Does.Contain("DeadlineOptions.MethodTimeouts is  ;"));
        Assert.That(error.Message, Does.Contain("DeadlineOptions.MethodTimeouts[/unstable.v1.UnstableService/Process] is -00:00:03"));
    }

    [Test]
    public void Constructor_NullMethodTimeouts_ThrowsNamingMethodTimeouts()
    {
        var options = new DeadlineOptions { MethodTimeouts = null! };

        var error = Assert.Throws<ArgumentException>(() => _ = new DeadlineInterceptor(options));

        Assert.That(error!.Message, Does.Contain("DeadlineOptions.MethodTimeouts"));
    }

    [Test]
    public void Constructor_EveryBadStreamIdleTimeout_IsNamed()
    {
        var options = new DeadlineOptions
        {
            StreamIdleTimeouts =
            {
                [""] = TimeSpan.FromSeconds(1),
                ["/unstable.v1.UnstableService/Subscribe"] = TimeSpan.Zero,
                ["unstable.v1.UnstableService"] = TimeSpan.FromSeconds(-5),
            },
        };

        var error = Assert.Throws<ArgumentException>(() => _ = new DeadlineInterceptor(options));

        Assert.That(error!.Message, Does.Contain("DeadlineOptions.StreamIdleTimeouts is ;"));
        Assert.That(error.Message, Does.Contain("DeadlineOptions.StreamIdleTimeouts[/unstable.v1.UnstableService/Subscribe] is 00:00:00"));
        Assert.That(error.Message, Does.Contain("DeadlineOptions.StreamIdleTimeouts[unstable.v1.UnstableService] is -00:00:05"));
        Assert.That(error.Message, Does.Contain("it must be greater than zero or Timeout.InfiniteTimeSpan"), "the allowed values are said");
    }

    [Test]
    public void Constructor_InfiniteStreamIdleTimeout_IsAccepted()
    {
        var options = new DeadlineOptions { StreamIdleTimeouts = { ["unstable.v1.UnstableService"] = Timeout.InfiniteTimeSpan } };

        Assert.DoesNotThrow(() => _ = new DeadlineInterceptor(options));
    }

    [Test]
    public void Constructor_NullStreamIdleTimeouts_ThrowsNamingStreamIdleTimeouts()
    {
        var options = new DeadlineOptions { StreamIdleTimeouts = null! };

        var error = Assert.Throws<ArgumentException>(() => _ = new DeadlineInterceptor(options));

        Assert.That(error!.Message, Does.Contain("DeadlineOptions.StreamIdleTimeouts is null"));
    }

    [Test]
    public void Constructor_NullOptions_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new DeadlineInterceptor(null!));
    }
}
