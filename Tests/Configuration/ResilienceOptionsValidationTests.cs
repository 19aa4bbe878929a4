using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Configuration;

/// <summary>What <see cref="ResilienceOptions"/> checks of the overload layer's settings before any call is made.</summary>
public sealed class ResilienceOptionsValidationTests
{
    [Test]
    public void Validate_BadConcurrencyLimitAndThrottling_BothNamedAtOnce()
    {
        var options = new ResilienceOptions
        {
            ConcurrencyLimit = new ConcurrencyLimitOptions { MinLimit = 0 },
            AdaptiveThrottling = new AdaptiveThrottlingOptions { Multiplier = 1 },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain("ConcurrencyLimit").And.Contain("MinLimit is 0"));
        Assert.That(error.Message, Does.Contain("AdaptiveThrottling").And.Contain("Multiplier is 1"));
    }

    [Test]
    public void Validate_OverloadLayersLeftOut_NothingToCheck()
    {
        var options = new ResilienceOptions { ConcurrencyLimit = null, AdaptiveThrottling = null };

        Assert.DoesNotThrow(options.Validate);
    }
}
