using Grpc.Core;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Overload;

/// <summary>The concurrency limit's settings: their defaults, and the edges of what validation accepts, with the message it gives.</summary>
public sealed class ConcurrencyLimitOptionsTests
{
    [Test]
    public void Defaults_AnAdaptiveGradientLimitStartingAtItsMaximum()
    {
        var options = new ConcurrencyLimitOptions();

        Assert.That(options.Algorithm, Is.EqualTo(ConcurrencyLimitAlgorithm.Gradient));
        Assert.That(options.InitialLimit, Is.Null);
        Assert.That(options.MinLimit, Is.EqualTo(1));
        Assert.That(options.MaxLimit, Is.EqualTo(10_000));
        Assert.That(options.BackoffRatio, Is.EqualTo(0.9));
        Assert.That(options.LatencyTolerance, Is.EqualTo(1.25));
        Assert.That(options.MaxQueueWait, Is.EqualTo(TimeSpan.FromMilliseconds(2)), "a short wait for the slot an answer frees");
        Assert.That(options.MaxQueueLength, Is.Null);
        Assert.That(options.OverloadStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable, StatusCode.ResourceExhausted }));
        Assert.DoesNotThrow(options.Validate);
    }

    [TestCase(ConcurrencyLimitAlgorithm.Fixed)]
    [TestCase(ConcurrencyLimitAlgorithm.Aimd)]
    [TestCase(ConcurrencyLimitAlgorithm.Gradient)]
    public void Validate_EveryAlgorithm_IsAccepted(ConcurrencyLimitAlgorithm algorithm) =>
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { Algorithm = algorithm, InitialLimit = 10 }.Validate);

    [Test]
    public void Validate_EdgesOfEveryRange_AreAccepted()
    {
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { MinLimit = 1, MaxLimit = 1, InitialLimit = 1 }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { MinLimit = 65_535, MaxLimit = 65_535, InitialLimit = 65_535 }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { MinLimit = 5, MaxLimit = 9, InitialLimit = 5 }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { MinLimit = 5, MaxLimit = 9, InitialLimit = 9 }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { BackoffRatio = 0.001, LatencyTolerance = 1 }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { BackoffRatio = 0.999, LatencyTolerance = 10 }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Aimd, InitialLimit = null }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { MaxQueueWait = TimeSpan.FromMinutes(1), MaxQueueLength = 1 }.Validate);
        Assert.DoesNotThrow(new ConcurrencyLimitOptions { MaxQueueWait = TimeSpan.FromTicks(1), MaxQueueLength = 65_535 }.Validate);
    }

    [TestCase("Algorithm", "ConcurrencyLimitOptions.Algorithm is 3; it must be Fixed, Aimd or Gradient.")]
    [TestCase("MinLimit", "ConcurrencyLimitOptions.MinLimit is 0; it must be at least 1.")]
    [TestCase("MaxLimit below MinLimit", "ConcurrencyLimitOptions.MaxLimit is 4; it must be at least MinLimit (5) and at most 65535.")]
    [TestCase("MaxLimit above 65535", "ConcurrencyLimitOptions.MaxLimit is 65536; it must be at least MinLimit (1) and at most 65535.")]
    [TestCase("InitialLimit below MinLimit", "ConcurrencyLimitOptions.InitialLimit is 4; it must be between MinLimit (5) and MaxLimit (9), and set for a Fixed limit.")]
    [TestCase("InitialLimit above MaxLimit", "ConcurrencyLimitOptions.InitialLimit is 10; it must be between MinLimit (5) and MaxLimit (9), and set for a Fixed limit.")]
    [TestCase("InitialLimit unset for Fixed", "ConcurrencyLimitOptions.InitialLimit is null; it must be between MinLimit (1) and MaxLimit (10000), and set for a Fixed limit.")]
    [TestCase("BackoffRatio 0", "ConcurrencyLimitOptions.BackoffRatio is 0; it must be greater than 0 and less than 1.")]
    [TestCase("BackoffRatio 1", "ConcurrencyLimitOptions.BackoffRatio is 1; it must be greater than 0 and less than 1.")]
    [TestCase("LatencyTolerance below 1", "ConcurrencyLimitOptions.LatencyTolerance is 0.99; it must be at least 1 and at most 10.")]
    [TestCase("LatencyTolerance above 10", "ConcurrencyLimitOptions.LatencyTolerance is 10.01; it must be at least 1 and at most 10.")]
    [TestCase("MaxQueueWait below zero", "ConcurrencyLimitOptions.MaxQueueWait is -00:00:00.0010000; it must be at least zero and at most 1 minute.")]
    [TestCase("MaxQueueWait above 1 minute", "ConcurrencyLimitOptions.MaxQueueWait is 00:01:00.0010000; it must be at least zero and at most 1 minute.")]
    [TestCase("MaxQueueLength 0", "ConcurrencyLimitOptions.MaxQueueLength is 0; it must be between 1 and 65535, with MaxQueueWait above zero (nothing waits otherwise).")]
    [TestCase("MaxQueueLength above 65535", "ConcurrencyLimitOptions.MaxQueueLength is 65536; it must be between 1 and 65535, with MaxQueueWait above zero (nothing waits otherwise).")]
    [TestCase("MaxQueueLength without a wait", "ConcurrencyLimitOptions.MaxQueueLength is 10; it must be between 1 and 65535, with MaxQueueWait above zero (nothing waits otherwise).")]
    [TestCase("OverloadStatusCodes", "ConcurrencyLimitOptions.OverloadStatusCodes is {Unavailable, Cancelled}; it must name at least one status and neither OK nor Cancelled.")]
    public void Validate_OneSettingOutOfRange_MessageGivesTheValueAndWhatIsAllowed(string setting, string sentence)
    {
        var options = setting switch
        {
            "Algorithm" => new ConcurrencyLimitOptions { Algorithm = (ConcurrencyLimitAlgorithm)3 },
            "MinLimit" => new ConcurrencyLimitOptions { MinLimit = 0 },
            "MaxLimit below MinLimit" => new ConcurrencyLimitOptions { MinLimit = 5, MaxLimit = 4 },
            "MaxLimit above 65535" => new ConcurrencyLimitOptions { MaxLimit = 65_536 },
            "InitialLimit below MinLimit" => new ConcurrencyLimitOptions { MinLimit = 5, MaxLimit = 9, InitialLimit = 4 },
            "InitialLimit above MaxLimit" => new ConcurrencyLimitOptions { MinLimit = 5, MaxLimit = 9, InitialLimit = 10 },
            "InitialLimit unset for Fixed" => new ConcurrencyLimitOptions { Algorithm = ConcurrencyLimitAlgorithm.Fixed },
            "BackoffRatio 0" => new ConcurrencyLimitOptions { BackoffRatio = 0 },
            "BackoffRatio 1" => new ConcurrencyLimitOptions { BackoffRatio = 1 },
            "LatencyTolerance below 1" => new ConcurrencyLimitOptions { LatencyTolerance = 0.99 },
            "LatencyTolerance above 10" => new ConcurrencyLimitOptions { LatencyTolerance = 10.01 },
            "MaxQueueWait below zero" => new ConcurrencyLimitOptions { MaxQueueWait = TimeSpan.FromMilliseconds(-1) },
            "MaxQueueWait above 1 minute" => new ConcurrencyLimitOptions { MaxQueueWait = TimeSpan.FromMilliseconds(60_001) },
            "MaxQueueLength 0" => new ConcurrencyLimitOptions { MaxQueueWait = TimeSpan.FromSeconds(1), MaxQueueLength = 0 },
            "MaxQueueLength above 65535" => new ConcurrencyLimitOptions { MaxQueueWait = TimeSpan.FromSeconds(1), MaxQueueLength = 65_536 },
            "MaxQueueLength without a wait" => new ConcurrencyLimitOptions { MaxQueueWait = TimeSpan.Zero, MaxQueueLength = 10 },
            _ => new ConcurrencyLimitOptions { OverloadStatusCodes = new HashSet<StatusCode> { StatusCode.Unavailable, StatusCode.Cancelled } },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Is.EqualTo($"Invalid ConcurrencyLimitOptions: {sentence} (Parameter 'ConcurrencyLimitOptions')"));
    }

    [Test]
    public void Validate_NoLimitAtAll_ReportsTheMaximumToo()
    {
        // MinLimit 0 is itself invalid; a MaxLimit of 0 still cannot admit a single attempt.
        var error = Assert.Throws<ArgumentException>(new ConcurrencyLimitOptions { MinLimit = 0, MaxLimit = 0, InitialLimit = 0 }.Validate);

        Assert.That(error!.Message, Does.Contain("ConcurrencyLimitOptions.MaxLimit is 0; it must be at least MinLimit (0) and at most 65535."));
    }
}
