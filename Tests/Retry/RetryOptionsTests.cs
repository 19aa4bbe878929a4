using Grpc.Core;
using ResilientGrpc.Interceptors;

namespace ResilientGrpc.Tests.Retry;

public sealed class RetryOptionsTests
{
    private static readonly TestCaseData[] BadOptions =
    [
        Bad(o => o.MaxAttempts = 0, "MaxAttempts"),
        Bad(o => o.MaxAttempts = 11, "MaxAttempts"),
        Bad(o => o.InitialBackoff = TimeSpan.Zero, "InitialBackoff"),
        Bad(o => o.InitialBackoff = TimeSpan.FromSeconds(-1), "InitialBackoff"),
        Bad(o => o.MaxBackoff = TimeSpan.Zero, "MaxBackoff"),
        Bad(o => o.MaxBackoff = TimeSpan.FromMilliseconds(500), "MaxBackoff"),
        Bad(o => o.BackoffMultiplier = 0.5, "BackoffMultiplier"),
        Bad(o => o.BackoffMultiplier = double.NaN, "BackoffMultiplier"),
        Bad(o => o.BackoffMultiplier = double.PositiveInfinity, "BackoffMultiplier"),
        Bad(o => o.JitterFactor = -0.1, "JitterFactor"),
        Bad(o => o.JitterFactor = 1.1, "JitterFactor"),
        Bad(o => o.JitterFactor = double.NaN, "JitterFactor"),
        Bad(o => o.RetryableStatusCodes = new HashSet<StatusCode>(), "RetryableStatusCodes"),
        Bad(o => o.RetryableStatusCodes = null!, "RetryableStatusCodes"),
        Bad(o => o.RetryableStatusCodes.Add(StatusCode.OK), "RetryableStatusCodes"),
        Bad(o => o.NonRetryableMethods = null!, "NonRetryableMethods"),
        Bad(o => o.NonRetryableMethods.Add(" "), "NonRetryableMethods"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { MaxTokens = 0 }, "Throttling.MaxTokens"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { MaxTokens = 1001 }, "Throttling.MaxTokens"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { TokenRatio = 0 }, "Throttling.TokenRatio"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { TokenRatio = 1.5 }, "Throttling.TokenRatio"),
        Bad(o => o.Throttling = new RetryThrottlingOptions { TokenRatio = double.NaN }, "Throttling.TokenRatio"),
    ];

    private static readonly TestCaseData[] BadOptionSentences =
    [
        Sentence(o => o.InitialBackoff = TimeSpan.Zero, "RetryOptions.InitialBackoff is 00:00:00; it must be greater than zero."),
        Sentence(o => o.MaxBackoff = TimeSpan.Zero, "RetryOptions.MaxBackoff is 00:00:00; it must be greater than zero."),
        Sentence(o => o.BackoffMultiplier = 0.5, "RetryOptions.BackoffMultiplier is 0.5; it must be a finite number of at least 1."),
        Sentence(o => o.JitterFactor = 1.5, "RetryOptions.JitterFactor is 1.5; it must be between 0 and 1."),
        Sentence(
            o => o.RetryableStatusCodes = new HashSet<StatusCode> { StatusCode.Unavailable, StatusCode.OK },
            "RetryOptions.RetryableStatusCodes is {Unavailable, OK}; it must hold at least one status code and not OK."),
        Sentence(
            o => o.NonRetryableMethods = new HashSet<string> { "a.B", " " },
            "RetryOptions.NonRetryableMethods is {a.B,  }; it must not be null and its entries must be full method names or service names."),
        Sentence(
            o => o.NonRetryableMethods = null!,
            "RetryOptions.NonRetryableMethods is null; it must not be null and its entries must be full method names or service names."),
        Sentence(
            o => o.Throttling = new RetryThrottlingOptions { MaxTokens = 0 },
            "RetryOptions.Throttling.MaxTokens is 0; it must be between 1 and 1000."),
        Sentence(
            o => o.Throttling = new RetryThrottlingOptions { TokenRatio = 0 },
            "RetryOptions.Throttling.TokenRatio is 0; it must be greater than 0 and at most 1."),
    ];

    [Test]
    public void Defaults_AreThoseOfTheBrief()
    {
        var options = new RetryOptions();

        Assert.That(options.MaxAttempts, Is.EqualTo(3));
        Assert.That(options.InitialBackoff, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(options.BackoffMultiplier, Is.EqualTo(2));
        Assert.That(options.MaxBackoff, Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(options.JitterFactor, Is.EqualTo(0.2));
        Assert.That(options.RetryableStatusCodes, Is.EquivalentTo(new[] { StatusCode.Unavailable }));
        Assert.That(options.HonorServerPushback, Is.True);
        Assert.That(options.Throttling, Is.Null);
        Assert.That(options.NonRetryableMethods, Is.Empty);
        Assert.DoesNotThrow(options.Validate);
    }

    [Test]
    public void ThrottlingDefaults_AreTenTokensAndATenthPerSuccess()
    {
        var throttling = new RetryThrottlingOptions();

        Assert.That(throttling.MaxTokens, Is.EqualTo(10));
        Assert.That(throttling.TokenRatio, Is.EqualTo(0.1));
    }

    [TestCaseSource(nameof(BadOptions))]
    public void Constructor_BadOption_ThrowsNamingIt(Action<RetryOptions> spoil, string property)
    {
        var options = new RetryOptions();
        spoil(options);

        var error = Assert.Throws<ArgumentException>(() => _ = new RetryInterceptor(options));

        Assert.That(error!.Message, Does.Contain($"RetryOptions.{property} is "));
        Assert.That(error.ParamName, Is.EqualTo(nameof(RetryOptions)));
    }

    [TestCaseSource(nameof(BadOptionSentences))]
    public void Constructor_BadOption_MessageGivesTheValueAndWhatIsAllowed(Action<RetryOptions> spoil, string sentence)
    {
        var options = new RetryOptions();
        spoil(options);

        var error = Assert.Throws<ArgumentException>(() => _ = new RetryInterceptor(options));

        Assert.That(error!.Message, Is.EqualTo($"Invalid RetryOptions: {sentence} (Parameter 'RetryOptions')"));
    }

    [Test]
    public void Constructor_TwoBadOptions_MessageHoldsOneSentenceForEach()
    {
        var options = new RetryOptions { MaxAttempts = 0, JitterFactor = 2 };

        var error = Assert.Throws<ArgumentException>(() => _ = new RetryInterceptor(options));

        Assert.That(error!.Message, Is.EqualTo(
            "Invalid RetryOptions: RetryOptions.MaxAttempts is 0; it must be between 1 and 10. " +
            "RetryOptions.JitterFactor is 2; it must be between 0 and 1. (Parameter 'RetryOptions')"));
    }

    [Test]
    public void Constructor_ManyBadOptions_ReportsEveryOneInOneException()
    {
        var options = new RetryOptions
        {
            MaxAttempts = 0,
            InitialBackoff = TimeSpan.FromSeconds(10),
            MaxBackoff = TimeSpan.FromSeconds(5),
            BackoffMultiplier = 0,
            JitterFactor = 2,
            RetryableStatusCodes = new HashSet<StatusCode>(),
            Throttling = new RetryThrottlingOptions { MaxTokens = -1, TokenRatio = 0 },
        };

        var error = Assert.Throws<ArgumentException>(() => _ = new RetryInterceptor(options));

        Assert.That(error!.Message, Does.Contain("RetryOptions.MaxAttempts is 0; it must be between 1 and 10."));
        Assert.That(error.Message, Does.Contain("RetryOptions.MaxBackoff is 00:00:05; it must be at least InitialBackoff."));
        Assert.That(error.Message, Does.Contain("RetryOptions.BackoffMultiplier is 0"));
        Assert.That(error.Message, Does.Contain("RetryOptions.JitterFactor is 2"));
        Assert.That(error.Message, Does.Contain("RetryOptions.RetryableStatusCodes is {}"));
        Assert.That(error.Message, Does.Contain("RetryOptions.Throttling.MaxTokens is -1"));
        Assert.That(error.Message, Does.Contain("RetryOptions.Throttling.TokenRatio is 0"));
    }

    [TestCase(0, "00:00:00")]
    [TestCase(-1, "-00:00:01")]
    public void Constructor_NonPositiveBackoffs_DoNotAlsoReportTheCrossFieldRule(int maxBackoffSeconds, string shown)
    {
        var options = new RetryOptions { InitialBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(maxBackoffSeconds) };

        var error = Assert.Throws<ArgumentException>(() => _ = new RetryInterceptor(options));

        Assert.That(error!.Message, Does.Contain($"MaxBackoff is {shown}; it must be greater than zero."));
        Assert.That(error.Message, Does.Not.Contain("at least InitialBackoff"));
    }

    [TestCase(1, 1)]
    [TestCase(10, 1000)]
    public void Constructor_BoundaryValues_AreAccepted(int maxAttempts, int maxTokens)
    {
        var options = new RetryOptions
        {
            MaxAttempts = maxAttempts,
            InitialBackoff = TimeSpan.FromSeconds(2),
            MaxBackoff = TimeSpan.FromSeconds(2),
            BackoffMultiplier = 1,
            JitterFactor = 1,
            Throttling = new RetryThrottlingOptions { MaxTokens = maxTokens, TokenRatio = 1 },
        };

        Assert.DoesNotThrow(() => _ = new RetryInterceptor(options));
    }

    [Test]
    public void Constructor_NullOptions_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new RetryInterceptor(null!));
    }

    private static TestCaseData Bad(Action<RetryOptions> spoil, string property) =>
        new TestCaseData(spoil, property).SetArgDisplayNames(property);

    private static TestCaseData Sentence(Action<RetryOptions> spoil, string sentence) =>
        new TestCaseData(spoil, sentence).SetArgDisplayNames(sentence[..sentence.IndexOf(';', StringComparison.Ordinal)]);
}
