using Grpc.Core;
using ResilientGrpc.Interceptors;
using ResilientGrpc.Tests.Infrastructure;

namespace ResilientGrpc.Tests.CircuitBreaker;

/// <summary>Defaults, validation of every setting at once, and the copy taken at construction.</summary>
public sealed class CircuitBreakerOptionsTests
{
    [Test]
    public void Constructor_Defaults_AreTheDocumentedOnes()
    {
        var options = new CircuitBreakerOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.Name, Is.EqualTo("default"));
            Assert.That(options.FailureThreshold, Is.EqualTo(5));
            Assert.That(options.BreakDuration, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.FailureStatusCodes, Is.EquivalentTo(new[]
            {
                StatusCode.Unavailable, StatusCode.DeadlineExceeded, StatusCode.Internal,
                StatusCode.Unknown, StatusCode.ResourceExhausted, StatusCode.DataLoss,
            }));
            Assert.That(options.HalfOpenProbes, Is.EqualTo(1));
            Assert.That(options.FailureRatio, Is.Null);
            Assert.That(options.SamplingDuration, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.MinimumThroughput, Is.EqualTo(10));
            Assert.That(options.KeySelector, Is.Null);
        });
        Assert.DoesNotThrow(options.Validate);
    }

    [Test]
    public void Constructor_EveryOptionInvalid_OneExceptionNamesThemAll()
    {
        var options = new CircuitBreakerOptions
        {
            Name = " ",
            FailureThreshold = 0,
            AttemptFailureThreshold = 0,
            BreakDuration = TimeSpan.Zero,
            FailureStatusCodes = new HashSet<StatusCode>(),
            HalfOpenProbes = 0,
            FailureRatio = 1.5,
            SamplingDuration = TimeSpan.FromSeconds(-1),
            MinimumThroughput = 1,
        };

        var error = Assert.Throws<ArgumentException>(() => _ = new CircuitBreakerInterceptor(options));

        foreach (var name in new[]
        {
            "Name", "FailureThreshold", "AttemptFailureThreshold", "BreakDuration", "FailureStatusCodes", "HalfOpenProbes",
            "FailureRatio", "SamplingDuration", "MinimumThroughput",
        })
        {
            Assert.That(error!.Message, Does.Contain($"CircuitBreakerOptions.{name} is"), name);
        }
    }

    [TestCase(nameof(CircuitBreakerOptions.FailureThreshold), "at least 1")]
    [TestCase(nameof(CircuitBreakerOptions.AttemptFailureThreshold), "at least FailureThreshold (5)")]
    [TestCase(nameof(CircuitBreakerOptions.BreakDuration), "greater than zero")]
    [TestCase(nameof(CircuitBreakerOptions.FailureStatusCodes), "at least one status")]
    [TestCase(nameof(CircuitBreakerOptions.HalfOpenProbes), "at least 1")]
    [TestCase(nameof(CircuitBreakerOptions.FailureRatio), "greater than 0 and at most 1")]
    [TestCase(nameof(CircuitBreakerOptions.SamplingDuration), "greater than zero")]
    [TestCase(nameof(CircuitBreakerOptions.MinimumThroughput), "at least 2")]
    [TestCase(nameof(CircuitBreakerOptions.Name), "must not be empty")]
    [TestCase(nameof(CircuitBreakerOptions.MinimumSilence), "at least zero and at most 1 day")]
    public void Validate_OneInvalidOption_NamesItAndItsRange(string property, string allowed)
    {
        var options = new CircuitBreakerOptions();
        switch (property)
        {
            case nameof(CircuitBreakerOptions.FailureThreshold): options.FailureThreshold = -3; break;
            case nameof(CircuitBreakerOptions.AttemptFailureThreshold): options.AttemptFailureThreshold = 4; break;
            case nameof(CircuitBreakerOptions.BreakDuration): options.BreakDuration = TimeSpan.FromSeconds(-5); break;
            case nameof(CircuitBreakerOptions.FailureStatusCodes): options.FailureStatusCodes = null!; break;
            case nameof(CircuitBreakerOptions.HalfOpenProbes): options.HalfOpenProbes = 0; break;
            case nameof(CircuitBreakerOptions.FailureRatio): options.FailureRatio = 0; break;
            case nameof(CircuitBreakerOptions.SamplingDuration): options.SamplingDuration = TimeSpan.Zero; break;
            case nameof(CircuitBreakerOptions.MinimumThroughput): options.MinimumThroughput = 0; break;
            case nameof(CircuitBreakerOptions.MinimumSilence): options.MinimumSilence = TimeSpan.FromTicks(-1); break;
            default: options.Name = ""; break;
        }

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain($"CircuitBreakerOptions.{property} is").And.Contain(allowed));
        Assert.That(error.Message.Split("CircuitBreakerOptions.").Length - 1, Is.EqualTo(1), "only the bad option is named");
    }

    [Test]
    public void Validate_MinimumSilence_ZeroAndOneDayAccepted_JustAboveADayRejected()
    {
        Assert.DoesNotThrow(new CircuitBreakerOptions { MinimumSilence = TimeSpan.Zero }.Validate, "zero: the threshold alone decides");
        Assert.DoesNotThrow(new CircuitBreakerOptions { MinimumSilence = TimeSpan.FromDays(1) }.Validate);

        var error = Assert.Throws<ArgumentException>(new CircuitBreakerOptions { MinimumSilence = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1) }.Validate);

        Assert.That(error!.Message, Does.Contain("CircuitBreakerOptions.MinimumSilence is"));
    }

    [TestCase(double.NaN)]
    [TestCase(-0.1)]
    [TestCase(1.0001)]
    public void Validate_FailureRatioOutOfRange_IsRejected(double ratio)
    {
        var options = new CircuitBreakerOptions { FailureRatio = ratio };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain("FailureRatio"));
    }

    [TestCase(StatusCode.OK)]
    [TestCase(StatusCode.Cancelled)]
    public void Validate_FailureStatusCodesHoldsANonFailure_IsRejected(StatusCode code)
    {
        var options = new CircuitBreakerOptions { FailureStatusCodes = new HashSet<StatusCode> { StatusCode.Unavailable, code } };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain("FailureStatusCodes").And.Contain(code.ToString()));
    }

    [Test]
    public void Validate_FailureStatusCodesHoldsOK_MessageShowsTheCodesAndWhatIsAllowed()
    {
        var options = new CircuitBreakerOptions { FailureStatusCodes = new HashSet<StatusCode> { StatusCode.Unavailable, StatusCode.OK } };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Is.EqualTo(
            "Invalid CircuitBreakerOptions: CircuitBreakerOptions.FailureStatusCodes is {Unavailable, OK}; " +
            "it must name at least one status and neither OK nor Cancelled. (Parameter 'CircuitBreakerOptions')"));
    }

    [Test]
    public void Validate_UpperAndLowerBounds_AreAccepted()
    {
        var options = new CircuitBreakerOptions
        {
            FailureThreshold = 1,
            AttemptFailureThreshold = 1,
            FailureRatio = 1,
            MinimumThroughput = 2,
            BreakDuration = TimeSpan.FromDays(1),
            SamplingDuration = TimeSpan.FromDays(1),
        };

        Assert.DoesNotThrow(options.Validate);
    }

    [Test]
    public void Validate_DurationsLongerThanADay_AreRejected()
    {
        var options = new CircuitBreakerOptions { BreakDuration = TimeSpan.MaxValue, SamplingDuration = TimeSpan.FromDays(2) };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain("BreakDuration").And.Contain("SamplingDuration"));
    }

    [Test]
    public void Constructor_NullOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new CircuitBreakerInterceptor(null!));
    }

    [Test]
    public async Task Constructor_OptionsChangedAfterwards_RunningBreakerUnaffected()
    {
        var options = new CircuitBreakerOptions { Name = "copied" };
        var harness = new BreakerHarness(options);

        options.FailureThreshold = 1;
        options.FailureStatusCodes.Clear();
        options.FailureStatusCodes.Add(StatusCode.NotFound);
        options.BreakDuration = TimeSpan.FromSeconds(1);
        options.Name = "changed";

        await harness.FailAsync(4);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Closed));
        await harness.FailAsync(1);
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        harness.Time.Pass(TimeSpan.FromSeconds(29));
        Assert.That(harness.Breaker.State, Is.EqualTo(CircuitState.Open));
        Assert.That(harness.Transitions.Single().BreakerName, Is.EqualTo("copied"));
    }
}
