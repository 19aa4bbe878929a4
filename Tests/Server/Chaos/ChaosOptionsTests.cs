using Grpc.Core;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Tests.Server.Chaos;

public sealed class ChaosOptionsTests
{
    [Test]
    public void Validate_Defaults_Passes()
    {
        Assert.That(() => new ChaosOptions().Validate(), Throws.Nothing);
    }

    [Test]
    public void Validate_EdgeValues_Passes()
    {
        var options = new ChaosOptions
        {
            Enabled = true,
            ErrorRate = 0.4,
            HangRate = 0.6,
            HangDuration = ChaosOptions.MaxHangDuration,
            OutageEvery = TimeSpan.FromSeconds(2),
            OutageFor = TimeSpan.FromMilliseconds(1999),
            CapacityHandlers = ChaosOptions.MaxCapacityHandlers,
            ServiceTime = ChaosOptions.MaxServiceTime,
            ServiceTimeVariation = ServiceTimeVariation.Exponential,
            Overflow = CapacityOverflow.Queue,
        };

        Assert.That(options.Validate, Throws.Nothing);
    }

    [Test]
    public void Validate_ManyProblems_ListsEveryOneNamingItsVariable()
    {
        var options = new ChaosOptions
        {
            ErrorRate = double.NaN,
            HangRate = 1.1,
            ErrorCodes = [],
            HangDuration = TimeSpan.Zero,
            OutageEvery = TimeSpan.FromSeconds(10),
            OutageFor = TimeSpan.FromSeconds(20),
            CapacityHandlers = 0,
            ServiceTime = TimeSpan.Zero,
            ServiceTimeVariation = (ServiceTimeVariation)7,
            Overflow = (CapacityOverflow)7,
        };

        var ex = Assert.Throws<ChaosConfigurationException>(options.Validate);

        Assert.That(
            ex!.Problems.Select(p => p.Variable),
            Is.EquivalentTo(new[]
            {
                "CHAOS_ERROR_RATE", "CHAOS_HANG_RATE", "CHAOS_ERROR_CODES", "CHAOS_HANG_SECONDS", "CHAOS_OUTAGE_FOR",
                "CHAOS_CAPACITY_HANDLERS", "CHAOS_SERVICE_TIME", "CHAOS_SERVICE_TIME_VARIATION", "CHAOS_CAPACITY_OVERFLOW",
            }));
    }

    [Test]
    public void Validate_OkAmongErrorCodes_Rejected()
    {
        var options = new ChaosOptions { ErrorCodes = [StatusCode.Unavailable, StatusCode.OK] };

        var ex = Assert.Throws<ChaosConfigurationException>(options.Validate);

        Assert.That(ex!.Problems.Single().Variable, Is.EqualTo("CHAOS_ERROR_CODES"));
        Assert.That(ex.Message, Does.Contain("OK"));
    }

    [Test]
    public void Validate_NegativeHang_RejectedWithValue()
    {
        var options = new ChaosOptions { HangDuration = TimeSpan.FromMilliseconds(-500) };

        var ex = Assert.Throws<ChaosConfigurationException>(options.Validate);

        Assert.That(ex!.Message, Does.Contain("CHAOS_HANG_SECONDS=-500ms"));
    }

    [TestCase("100")]
    [TestCase("-1")]
    [TestCase("soon")]
    public void Validate_ErrorPushbackMetadataValue_Passes(string pushback)
    {
        var options = new ChaosOptions { ErrorPushback = pushback };

        Assert.That(options.Validate, Throws.Nothing);
    }

    [TestCase("")]
    [TestCase("  ")]
    [TestCase(" 100")]
    [TestCase("100\n")]
    [TestCase("\u00e9")]
    public void Validate_ErrorPushbackNotAMetadataValue_RejectedNamingItsVariable(string pushback)
    {
        var options = new ChaosOptions { ErrorPushback = pushback };

        var ex = Assert.Throws<ChaosConfigurationException>(options.Validate);

        Assert.That(ex!.Problems.Single().Variable, Is.EqualTo("CHAOS_ERROR_PUSHBACK"));
        Assert.That(ex.Message, Does.Contain("CHAOS_ERROR_PUSHBACK="));
    }

    [Test]
    public void Validate_ServiceTimeOverOneMinute_RejectedWithValue()
    {
        var options = new ChaosOptions { CapacityHandlers = 8, ServiceTime = TimeSpan.FromMinutes(2) };

        var ex = Assert.Throws<ChaosConfigurationException>(options.Validate);

        Assert.That(ex!.Message, Does.Contain("CHAOS_SERVICE_TIME=120s"));
    }
}
