using Grpc.Core;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Overload;

/// <summary>Adaptive throttling's settings: their defaults, and the edges of what validation accepts, with the message it gives.</summary>
public sealed class AdaptiveThrottlingOptionsTests
{
    [Test]
    public void Defaults_TwiceTheAcceptsOverTwoSeconds()
    {
        var options = new AdaptiveThrottlingOptions();

        Assert.That(options.Multiplier, Is.EqualTo(2));
        Assert.That(options.Window, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(options.OverloadStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable, StatusCode.ResourceExhausted }));
        Assert.DoesNotThrow(options.Validate);
    }

    [Test]
    public void Validate_EdgesOfEveryRange_AreAccepted()
    {
        Assert.DoesNotThrow(new AdaptiveThrottlingOptions { Multiplier = 1.001, Window = TimeSpan.FromMilliseconds(100) }.Validate);
        Assert.DoesNotThrow(new AdaptiveThrottlingOptions { Multiplier = 10, Window = TimeSpan.FromMinutes(10) }.Validate);
    }

    [TestCase("Multiplier 1", "AdaptiveThrottlingOptions.Multiplier is 1; it must be greater than 1 and at most 10.")]
    [TestCase("Multiplier above 10", "AdaptiveThrottlingOptions.Multiplier is 10.5; it must be greater than 1 and at most 10.")]
    [TestCase("Window too short", "AdaptiveThrottlingOptions.Window is 00:00:00.0990000; it must be at least 100 ms and at most 10 minutes.")]
    [TestCase("Window too long", "AdaptiveThrottlingOptions.Window is 00:10:00.0010000; it must be at least 100 ms and at most 10 minutes.")]
    [TestCase("OverloadStatusCodes", "AdaptiveThrottlingOptions.OverloadStatusCodes is {}; it must name at least one status and neither OK nor Cancelled.")]
    public void Validate_OneSettingOutOfRange_MessageGivesTheValueAndWhatIsAllowed(string setting, string sentence)
    {
        var options = setting switch
        {
            "Multiplier 1" => new AdaptiveThrottlingOptions { Multiplier = 1 },
            "Multiplier above 10" => new AdaptiveThrottlingOptions { Multiplier = 10.5 },
            "Window too short" => new AdaptiveThrottlingOptions { Window = TimeSpan.FromMilliseconds(99) },
            "Window too long" => new AdaptiveThrottlingOptions { Window = TimeSpan.FromMinutes(10) + TimeSpan.FromMilliseconds(1) },
            _ => new AdaptiveThrottlingOptions { OverloadStatusCodes = new HashSet<StatusCode>() },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Is.EqualTo($"Invalid AdaptiveThrottlingOptions: {sentence} (Parameter 'AdaptiveThrottlingOptions')"));
    }
}
