using Grpc.Core;
using Microsoft.Extensions.Configuration;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Tests.Server.Chaos;

public sealed class ChaosOptionsParserTests
{
    [Test]
    public void FromConfiguration_NothingSet_UsesDocumentedDefaults()
    {
        var options = ChaosOptions.FromConfiguration(Configuration());

        Assert.Multiple(() =>
        {
            Assert.That(options.Enabled, Is.False);
            Assert.That(options.ErrorRate, Is.EqualTo(0.2));
            Assert.That(options.ErrorCodes, Is.EqualTo(new[] { StatusCode.Unavailable }));
            Assert.That(options.ErrorPushback, Is.Null);
            Assert.That(options.HangRate, Is.EqualTo(0.1));
            Assert.That(options.HangDuration, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.OutageEvery, Is.Null);
            Assert.That(options.OutageFor, Is.Null);
            Assert.That(options.Seed, Is.Null);
            Assert.That(options.CapacityHandlers, Is.Null);
            Assert.That(options.ServiceTime, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
            Assert.That(options.ServiceTimeVariation, Is.EqualTo(ServiceTimeVariation.Constant));
            Assert.That(options.Overflow, Is.EqualTo(CapacityOverflow.Shed));
        });
    }

    [Test]
    public void FromConfiguration_EverySettingValid_ParsesAll()
    {
        var options = ChaosOptions.FromConfiguration(Configuration(
            ("CHAOS_MODE", "TRUE"),
            ("CHAOS_ERROR_RATE", "0.25"),
            ("CHAOS_ERROR_CODES", " unavailable , INTERNAL,Deadline_Exceeded,ResourceExhausted "),
            ("CHAOS_ERROR_PUSHBACK", "50"),
            ("CHAOS_HANG_RATE", "0.5"),
            ("CHAOS_HANG_SECONDS", "2.5"),
            ("CHAOS_OUTAGE_EVERY", "2m"),
            ("CHAOS_OUTAGE_FOR", "45s"),
            ("CHAOS_SEED", "-7"),
            ("CHAOS_PER_REQUEST", "true"),
            ("CHAOS_CAPACITY_HANDLERS", "8"),
            ("CHAOS_SERVICE_TIME", "25ms"),
            ("CHAOS_SERVICE_TIME_VARIATION", "Exponential"),
            ("CHAOS_CAPACITY_OVERFLOW", "QUEUE")));

        Assert.Multiple(() =>
        {
            Assert.That(options.Enabled, Is.True);
            Assert.That(options.ErrorRate, Is.EqualTo(0.25));
            Assert.That(options.ErrorCodes, Is.EqualTo(new[] { StatusCode.Unavailable, StatusCode.Internal, StatusCode.DeadlineExceeded, StatusCode.ResourceExhausted }));
            Assert.That(options.ErrorPushback, Is.EqualTo("50"));
            Assert.That(options.HangRate, Is.EqualTo(0.5));
            Assert.That(options.HangDuration, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
            Assert.That(options.OutageEvery, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(options.OutageFor, Is.EqualTo(TimeSpan.FromSeconds(45)));
            Assert.That(options.Seed, Is.EqualTo(-7));
            Assert.That(options.PerRequestDecisions, Is.True);
            Assert.That(options.CapacityHandlers, Is.EqualTo(8));
            Assert.That(options.ServiceTime, Is.EqualTo(TimeSpan.FromMilliseconds(25)));
            Assert.That(options.ServiceTimeVariation, Is.EqualTo(ServiceTimeVariation.Exponential));
            Assert.That(options.Overflow, Is.EqualTo(CapacityOverflow.Queue));
        });
    }

    [TestCase("5", 5_000)]
    [TestCase("5s", 5_000)]
    [TestCase("500ms", 500)]
    [TestCase("2m", 120_000)]
    [TestCase("1h", 3_600_000)]
    [TestCase("0.25s", 250)]
    [TestCase(" 7S ", 7_000)]
    public void FromConfiguration_HangDurationFormats_Parsed(string value, int expectedMilliseconds)
    {
        var options = ChaosOptions.FromConfiguration(Configuration(("CHAOS_HANG_SECONDS", value)));

        Assert.That(options.HangDuration, Is.EqualTo(TimeSpan.FromMilliseconds(expectedMilliseconds)));
    }

    [Test]
    public void FromConfiguration_EmptyValues_KeepDefaults()
    {
        var options = ChaosOptions.FromConfiguration(Configuration(("CHAOS_SEED", ""), ("CHAOS_ERROR_RATE", "  ")));

        Assert.That(options.Seed, Is.Null);
        Assert.That(options.ErrorRate, Is.EqualTo(0.2));
    }

    [TestCase("50")]
    [TestCase("0")]
    [TestCase("-1")]
    [TestCase("soon")]
    [TestCase("1.5")]
    [TestCase("2 s")]
    public void FromConfiguration_ErrorPushback_KeptExactlyAsGiven(string value)
    {
        var options = ChaosOptions.FromConfiguration(Configuration(("CHAOS_ERROR_PUSHBACK", value)));

        Assert.That(options.ErrorPushback, Is.EqualTo(value));
    }

    [TestCase("", "(empty)")]
    [TestCase(" ", "\" \"")]
    [TestCase("\t", "\"\\u0009\"")]
    public void FromConfiguration_ErrorPushbackEmptyOrBlank_RejectedNamingVariable(string value, string shown)
    {
        // Unlike the other settings an empty value is not taken as unset: it would be sent as given.
        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration(("CHAOS_ERROR_PUSHBACK", value))));

        var problem = ex!.Problems.Single();
        Assert.That(problem.Variable, Is.EqualTo("CHAOS_ERROR_PUSHBACK"));
        Assert.That(problem.Value, Is.EqualTo(shown));
        Assert.That(ex.Message, Does.Contain("CHAOS_ERROR_PUSHBACK=" + shown).And.Contain("must not be empty"));
    }

    [TestCase(" 50", "must not start or end with whitespace")]
    [TestCase("-1 ", "must not start or end with whitespace")]
    [TestCase("5\n0", "printable ASCII")]
    [TestCase("50\r\n", "printable ASCII")]
    [TestCase("bient\u00f4t", "printable ASCII")]
    [TestCase("1\u0000", "printable ASCII")]
    [TestCase("\u007f", "printable ASCII")]
    public void FromConfiguration_ErrorPushbackNotAMetadataValue_RejectedNamingVariable(string value, string requirement)
    {
        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration(("CHAOS_ERROR_PUSHBACK", value))));

        var problem = ex!.Problems.Single();
        Assert.That(problem.Variable, Is.EqualTo("CHAOS_ERROR_PUSHBACK"));
        Assert.That(problem.Requirement, Does.Contain(requirement));
        Assert.That(ex.Message, Does.Contain("CHAOS_ERROR_PUSHBACK=\""));
        Assert.That(ex.Message.Where(c => c is < ' ' or > '~').Except(['\n', '\r']), Is.Empty, "the value is shown escaped");
    }

    [TestCase("CHAOS_MODE", "yes")]
    [TestCase("CHAOS_MODE", "1")]
    [TestCase("CHAOS_ERROR_RATE", "2")]
    [TestCase("CHAOS_ERROR_RATE", "-0.1")]
    [TestCase("CHAOS_ERROR_RATE", "0,5")]
    [TestCase("CHAOS_ERROR_RATE", "NaN")]
    [TestCase("CHAOS_ERROR_RATE", "lots")]
    [TestCase("CHAOS_ERROR_CODES", "UNAVAILABLE,NOPE")]
    [TestCase("CHAOS_ERROR_CODES", "OK")]
    [TestCase("CHAOS_ERROR_CODES", "14")]
    [TestCase("CHAOS_ERROR_CODES", ",")]
    [TestCase("CHAOS_HANG_RATE", "1.5")]
    [TestCase("CHAOS_HANG_RATE", "x")]
    [TestCase("CHAOS_HANG_SECONDS", "-5")]
    [TestCase("CHAOS_HANG_SECONDS", "0")]
    [TestCase("CHAOS_HANG_SECONDS", "5 minutes")]
    [TestCase("CHAOS_HANG_SECONDS", "2h")]
    [TestCase("CHAOS_OUTAGE_EVERY", "-120s")]
    [TestCase("CHAOS_OUTAGE_FOR", "soon")]
    [TestCase("CHAOS_SEED", "1.5")]
    [TestCase("CHAOS_SEED", "99999999999")]
    [TestCase("CHAOS_PER_REQUEST", "yes")]
    [TestCase("CHAOS_CAPACITY_HANDLERS", "0")]
    [TestCase("CHAOS_CAPACITY_HANDLERS", "-8")]
    [TestCase("CHAOS_CAPACITY_HANDLERS", "10001")]
    [TestCase("CHAOS_CAPACITY_HANDLERS", "eight")]
    [TestCase("CHAOS_CAPACITY_HANDLERS", "8.5")]
    [TestCase("CHAOS_SERVICE_TIME", "0")]
    [TestCase("CHAOS_SERVICE_TIME", "-20ms")]
    [TestCase("CHAOS_SERVICE_TIME", "2m")]
    [TestCase("CHAOS_SERVICE_TIME", "fast")]
    [TestCase("CHAOS_SERVICE_TIME_VARIATION", "poisson")]
    [TestCase("CHAOS_SERVICE_TIME_VARIATION", "1")]
    [TestCase("CHAOS_CAPACITY_OVERFLOW", "drop")]
    [TestCase("CHAOS_CAPACITY_OVERFLOW", "0")]
    public void FromConfiguration_BadVariable_RejectedNamingVariableAndValue(string variable, string value)
    {
        var settings = new List<(string, string)> { (variable, value) };
        if (variable is "CHAOS_SERVICE_TIME" or "CHAOS_SERVICE_TIME_VARIATION" or "CHAOS_CAPACITY_OVERFLOW")
        {
            settings.Add(("CHAOS_CAPACITY_HANDLERS", "8"));
        }
        else if (variable is "CHAOS_OUTAGE_EVERY")
        {
            settings.Add(("CHAOS_OUTAGE_FOR", "10s"));
        }
        else if (variable is "CHAOS_OUTAGE_FOR")
        {
            settings.Add(("CHAOS_OUTAGE_EVERY", "60s"));
        }

        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration([.. settings])));

        Assert.That(ex!.Problems.Select(p => p.Variable), Does.Contain(variable));
        Assert.That(ex.Message, Does.Contain(variable).And.Contain(value.Trim()));
    }

    [Test]
    public void FromConfiguration_RatesSumAboveOne_RejectedNamingBothRates()
    {
        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration(
            ("CHAOS_ERROR_RATE", "0.7"), ("CHAOS_HANG_RATE", "0.4"))));

        Assert.That(ex!.Problems, Has.Count.EqualTo(1));
        Assert.That(ex.Message, Does.Contain("CHAOS_ERROR_RATE").And.Contain("CHAOS_HANG_RATE").And.Contain("at most 1"));
    }

    [TestCase("CHAOS_OUTAGE_EVERY", "120s", "CHAOS_OUTAGE_FOR")]
    [TestCase("CHAOS_OUTAGE_FOR", "45s", "CHAOS_OUTAGE_EVERY")]
    public void FromConfiguration_OnlyOneOutageSetting_RejectedNamingTheMissingOne(string variable, string value, string missing)
    {
        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration((variable, value))));

        Assert.That(ex!.Problems.Single().Variable, Is.EqualTo(variable));
        Assert.That(ex.Message, Does.Contain(missing));
    }

    [TestCase("CHAOS_SERVICE_TIME", "20ms")]
    [TestCase("CHAOS_SERVICE_TIME_VARIATION", "exponential")]
    [TestCase("CHAOS_CAPACITY_OVERFLOW", "queue")]
    public void FromConfiguration_CapacitySettingWithoutHandlers_RejectedNamingTheMissingOne(string variable, string value)
    {
        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration((variable, value))));

        var problem = ex!.Problems.Single();
        Assert.That(problem.Variable, Is.EqualTo(variable));
        Assert.That(problem.Value, Is.EqualTo(value));
        Assert.That(ex.Message, Does.Contain("CHAOS_CAPACITY_HANDLERS"));
    }

    [Test]
    public void FromConfiguration_CapacityHandlersAlone_ShedsConstantTwentyMillisecondCalls()
    {
        var options = ChaosOptions.FromConfiguration(Configuration(("CHAOS_MODE", "true"), ("CHAOS_CAPACITY_HANDLERS", "8")));

        Assert.That(options.CapacityHandlers, Is.EqualTo(8));
        Assert.That(options.ServiceTime, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
        Assert.That(options.ServiceTimeVariation, Is.EqualTo(ServiceTimeVariation.Constant));
        Assert.That(options.Overflow, Is.EqualTo(CapacityOverflow.Shed));
    }

    [Test]
    public void FromConfiguration_OutageLongerThanCycle_Rejected()
    {
        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration(
            ("CHAOS_OUTAGE_EVERY", "30s"), ("CHAOS_OUTAGE_FOR", "30s"))));

        Assert.That(ex!.Problems.Single().Variable, Is.EqualTo("CHAOS_OUTAGE_FOR"));
        Assert.That(ex.Message, Does.Contain("less than CHAOS_OUTAGE_EVERY"));
    }

    [Test]
    public void FromConfiguration_ManyBadVariables_ReportsEveryProblemInOneMessage()
    {
        var ex = Assert.Throws<ChaosConfigurationException>(() => ChaosOptions.FromConfiguration(Configuration(
            ("CHAOS_MODE", "maybe"),
            ("CHAOS_ERROR_RATE", "2"),
            ("CHAOS_ERROR_CODES", "BROKEN"),
            ("CHAOS_ERROR_PUSHBACK", ""),
            ("CHAOS_HANG_RATE", "-1"),
            ("CHAOS_HANG_SECONDS", "forever"),
            ("CHAOS_OUTAGE_EVERY", "-1s"),
            ("CHAOS_OUTAGE_FOR", "abc"),
            ("CHAOS_SEED", "seed"),
            ("CHAOS_PER_REQUEST", "1"),
            ("CHAOS_CAPACITY_HANDLERS", "0"),
            ("CHAOS_SERVICE_TIME", "never"),
            ("CHAOS_SERVICE_TIME_VARIATION", "gaussian"),
            ("CHAOS_CAPACITY_OVERFLOW", "drop"))));

        var variables = new[]
        {
            "CHAOS_MODE", "CHAOS_ERROR_RATE", "CHAOS_ERROR_CODES", "CHAOS_ERROR_PUSHBACK", "CHAOS_HANG_RATE",
            "CHAOS_HANG_SECONDS", "CHAOS_OUTAGE_EVERY", "CHAOS_OUTAGE_FOR", "CHAOS_SEED",
            "CHAOS_PER_REQUEST", "CHAOS_CAPACITY_HANDLERS", "CHAOS_SERVICE_TIME", "CHAOS_SERVICE_TIME_VARIATION",
            "CHAOS_CAPACITY_OVERFLOW",
        };
        Assert.That(ex!.Problems.Select(p => p.Variable), Is.EquivalentTo(variables));
        foreach (var variable in variables)
        {
            Assert.That(ex.Message, Does.Contain(variable));
        }
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
}
