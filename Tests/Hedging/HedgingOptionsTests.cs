using Grpc.Core;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Hedging;

public sealed class HedgingOptionsTests
{
    private const string Process = "/unstable.v1.UnstableService/Process";

    private static readonly TestCaseData[] BadOptions =
    [
        Bad(o => o.MaxAttempts = 0, "MaxAttempts"),
        Bad(o => o.MaxAttempts = 11, "MaxAttempts"),
        Bad(o => o.Delay = TimeSpan.FromMilliseconds(-1), "Delay"),
        Bad(o => o.HedgedMethods = null!, "HedgedMethods"),
        Bad(o => o.HedgedMethods.Add(" "), "HedgedMethods"),
        Bad(o => o.NonFatalStatusCodes = null!, "NonFatalStatusCodes"),
        Bad(o => o.NonFatalStatusCodes.Add(StatusCode.OK), "NonFatalStatusCodes"),
        Bad(o => o.MethodDelays = null!, "MethodDelays"),
        Bad(o => o.MethodDelays[Process] = TimeSpan.FromSeconds(-1), $"MethodDelays[{Process}]"),
        Bad(o => o.MethodDelays["/other.Service/Call"] = TimeSpan.FromSeconds(1), "MethodDelays[/other.Service/Call]"),
        Bad(o => o.MethodDelays[" "] = TimeSpan.FromSeconds(1), "MethodDelays"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { MaxTokens = 0 }, "Throttling.MaxTokens"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { MaxTokens = 1001 }, "Throttling.MaxTokens"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { TokenRatio = 0 }, "Throttling.TokenRatio"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { TokenRatio = double.NaN }, "Throttling.TokenRatio"),
    ];

    private static readonly TestCaseData[] BadOptionSentences =
    [
        Sentence(
            o => o.HedgedMethods = new HashSet<string> { Process, " " },
            $"HedgingOptions.HedgedMethods is {{{Process},  }}; it must not be null and its entries must be full method names or service names."),
        Sentence(o => o.MethodDelays = null!, "HedgingOptions.MethodDelays is null; it must not be null."),
        Sentence(o => o.MethodDelays[" "] = TimeSpan.FromSeconds(1), "HedgingOptions.MethodDelays is  ; keys must be full method names or service names."),
        Sentence(
            o => o.MethodDelays[Process] = TimeSpan.FromSeconds(-1),
            $"HedgingOptions.MethodDelays[{Process}] is -00:00:01; it must be zero or more."),
    ];

    [Test]
    public void Defaults_HedgeNothingThreeAttempts200MillisecondsApartOnUnavailable()
    {
        var options = new HedgingOptions();

        Assert.That(options.HedgedMethods, Is.Empty);
        Assert.That(options.MaxAttempts, Is.EqualTo(3));
        Assert.That(options.Delay, Is.EqualTo(TimeSpan.FromMilliseconds(200)));
        Assert.That(options.MethodDelays, Is.Empty);
        Assert.That(options.NonFatalStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable }));
        Assert.DoesNotThrow(options.Validate);
    }

    [Test]
    public void Defaults_HedgesAreNotThrottled() => Assert.That(new HedgingOptions().Throttling, Is.Null);

    [Test]
    public void ResilienceOptions_ThrottlingOnRetryAndHedging_ThrowsNamingBoth()
    {
        var options = new ResilienceOptions
        {
            Retry = new RetryOptions { Throttling = new RetryThrottlingOptions() },
            Hedging = new HedgingOptions { HedgedMethods = { Process }, Throttling = new RetryThrottlingOptions() },
        };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain(
            "HedgingOptions.Throttling is set beside RetryOptions.Throttling; retry and hedging share one budget, so set it on only one of them."));
    }

    [Test]
    public void ResilienceOptions_ThrottlingOnEitherPatternAlone_IsValid()
    {
        var onRetry = new ResilienceOptions { Retry = new RetryOptions { Throttling = new RetryThrottlingOptions() }, Hedging = new HedgingOptions { HedgedMethods = { Process } } };
        var onHedging = new ResilienceOptions { Hedging = new HedgingOptions { HedgedMethods = { Process }, Throttling = new RetryThrottlingOptions() } };
        var hedgingAlone = new ResilienceOptions { Retry = null, Hedging = new HedgingOptions { HedgedMethods = { Process }, Throttling = new RetryThrottlingOptions() } };

        Assert.DoesNotThrow(onRetry.Validate);
        Assert.DoesNotThrow(onHedging.Validate);
        Assert.DoesNotThrow(hedgingAlone.Validate);
    }

    [Test]
    public void ResilienceOptions_HedgingIsOffByDefault() => Assert.That(new ResilienceOptions().Hedging, Is.Null);

    [TestCaseSource(nameof(BadOptions))]
    public void Constructor_BadOption_ThrowsNamingIt(Action<HedgingOptions> spoil, string property)
    {
        var options = new HedgingOptions { HedgedMethods = { Process } };
        spoil(options);

        var error = Assert.Throws<ArgumentException>(() => _ = new HedgingInterceptor(options));

        Assert.That(error!.Message, Does.Contain($"HedgingOptions.{property} is "));
        Assert.That(error.ParamName, Is.EqualTo(nameof(HedgingOptions)));
    }

    [TestCaseSource(nameof(BadOptionSentences))]
    public void Constructor_BadOption_MessageGivesTheValueAndWhatIsAllowed(Action<HedgingOptions> spoil, string sentence)
    {
        var options = new HedgingOptions { HedgedMethods = { Process } };
        spoil(options);

        var error = Assert.Throws<ArgumentException>(() => _ = new HedgingInterceptor(options));

        Assert.That(error!.Message, Is.EqualTo($"Invalid HedgingOptions: {sentence} (Parameter 'HedgingOptions')"));
    }

    [Test]
    public void Constructor_NullHedgedMethods_IsTheOneProblemNamedNotEveryMethodDelay()
    {
        var options = new HedgingOptions { HedgedMethods = null!, MethodDelays = { [Process] = TimeSpan.FromSeconds(1) } };

        var error = Assert.Throws<ArgumentException>(() => _ = new HedgingInterceptor(options));

        Assert.That(error!.Message, Is.EqualTo(
            "Invalid HedgingOptions: HedgingOptions.HedgedMethods is null; " +
            "it must not be null and its entries must be full method names or service names. (Parameter 'HedgingOptions')"));
    }

    [Test]
    public void Constructor_ManyBadOptions_ReportsEveryOneInOneException()
    {
        var options = new HedgingOptions
        {
            HedgedMethods = { Process },
            MaxAttempts = 0,
            Delay = TimeSpan.FromSeconds(-1),
            NonFatalStatusCodes = { StatusCode.OK },
            MethodDelays = { ["/other.Service/Call"] = TimeSpan.FromSeconds(1) },
        };

        var error = Assert.Throws<ArgumentException>(() => _ = new HedgingInterceptor(options));

        Assert.That(error!.Message, Does.Contain("HedgingOptions.MaxAttempts is 0; it must be between 1 and 10."));
        Assert.That(error.Message, Does.Contain("HedgingOptions.Delay is -00:00:01; it must be zero or more."));
        Assert.That(error.Message, Does.Contain("HedgingOptions.NonFatalStatusCodes is {Unavailable, OK}; it must not be null nor hold OK."));
        Assert.That(error.Message, Does.Contain("HedgingOptions.MethodDelays[/other.Service/Call] is 00:00:01; it must name a method or service of HedgedMethods."));
    }

    [TestCase(1)]
    [TestCase(10)]
    public void Constructor_BoundaryValues_AreAccepted(int maxAttempts)
    {
        var options = new HedgingOptions
        {
            HedgedMethods = { "unstable.v1.UnstableService" },
            MaxAttempts = maxAttempts,
            Delay = TimeSpan.Zero,
            NonFatalStatusCodes = new HashSet<StatusCode>(),
            MethodDelays = { [Process] = TimeSpan.Zero },
        };

        Assert.DoesNotThrow(() => _ = new HedgingInterceptor(options));
    }

    [Test]
    public void ResilienceOptions_Validate_NamesBadHedgingSettings()
    {
        var options = new ResilienceOptions { Hedging = new HedgingOptions { MaxAttempts = 0 } };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.That(error!.Message, Does.Contain("HedgingOptions.MaxAttempts is 0"));
    }

    private static TestCaseData Bad(Action<HedgingOptions> spoil, string property) =>
        new TestCaseData(spoil, property).SetArgDisplayNames(property);

    private static TestCaseData Sentence(Action<HedgingOptions> spoil, string sentence) =>
        new TestCaseData(spoil, sentence).SetArgDisplayNames(sentence[..sentence.IndexOf(';', StringComparison.Ordinal)]);
}
