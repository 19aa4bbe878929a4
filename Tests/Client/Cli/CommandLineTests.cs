using ResilientGrpc.Client.Cli;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Tests.Client.Cli;

/// <summary>Every mode's arguments, what the e2e script and Docker pass, and every kind of bad argument.</summary>
public sealed class CommandLineTests
{
    [Test]
    public void Parse_NoArguments_RunsTheDemoAtRealSpeedWithTheDefaultMetricsPort()
    {
        var options = Parse([]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(ClientMode.Demo));
            Assert.That(options.Fast, Is.False);
            Assert.That(options.Server, Is.Null);
            Assert.That(options.MetricsPort, Is.EqualTo(9465));
        });
    }

    [Test]
    public void Parse_Fast_RunsTheScaledDemo()
    {
        var options = Parse(["--fast"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(ClientMode.Demo));
            Assert.That(options.Fast, Is.True);
        });
    }

    [Test]
    public void Parse_TheEndToEndScriptsArguments_RunsContinuousLoad()
    {
        var options = Parse(["--server", "http://127.0.0.1:15000", "--rate", "20", "--concurrency", "8", "--metrics-port", "19465", "--duration", "300s"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(ClientMode.Continuous));
            Assert.That(options.Server, Is.EqualTo(new Uri("http://127.0.0.1:15000")));
            Assert.That(options.Rate, Is.EqualTo(20));
            Assert.That(options.Concurrency, Is.EqualTo(8));
            Assert.That(options.MetricsPort, Is.EqualTo(19465));
            Assert.That(options.Duration, Is.EqualTo(TimeSpan.FromSeconds(300)));
        });
    }

    [Test]
    public void Parse_ServerOnly_UsesDefaultRateConcurrencyAndRunsUntilStopped()
    {
        var options = Parse(["--server=http://server:5000"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Server, Is.EqualTo(new Uri("http://server:5000")));
            Assert.That(options.Rate, Is.EqualTo(ClientOptions.DefaultRate));
            Assert.That(options.Concurrency, Is.EqualTo(ClientOptions.DefaultConcurrency));
            Assert.That(options.Duration, Is.Null);
        });
    }

    [Test]
    public void Parse_MetricsPortVariable_IsUsedWhenNoOptionIsGiven()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CommandLine.Parse([], "19465").Options!.MetricsPort, Is.EqualTo(19465));
            Assert.That(CommandLine.Parse(["--metrics-port", "1234"], "19465").Options!.MetricsPort, Is.EqualTo(1234));
            Assert.That(CommandLine.Parse([], " ").Options!.MetricsPort, Is.EqualTo(9465));
        });
    }

    [TestCase("-h")]
    [TestCase("--help")]
    public void Parse_Help_AsksForTheUsageText(string arg)
    {
        var result = CommandLine.Parse([arg], metricsPortVariable: null);

        Assert.Multiple(() =>
        {
            Assert.That(result.ShowHelp, Is.True);
            Assert.That(result.Error, Is.Null);
        });
    }

    [TestCase(new[] { "--replicas", "3" }, 3)]
    [TestCase(new[] { "--replicas=2" }, 2)]
    [TestCase(new[] { "--replicas", "9", "--metrics-port", "0" }, 9)]
    public void Parse_Replicas_RunsTheFleetDemo(string[] args, int replicas)
    {
        var options = Parse(args);

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(ClientMode.Fleet));
            Assert.That(options.Replicas, Is.EqualTo(replicas));
            Assert.That(options.Fast, Is.False);
            Assert.That(options.Server, Is.Null);
        });
    }

    [Test]
    public void Parse_NoReplicas_HostsNoFleet() => Assert.That(Parse([]).Replicas, Is.Zero);

    [TestCase(new[] { "--overload" }, false, CapacityOverflow.Shed)]
    [TestCase(new[] { "--overload", "--fast" }, true, CapacityOverflow.Shed)]
    [TestCase(new[] { "--fast", "--overload", "--overflow", "queue" }, true, CapacityOverflow.Queue)]
    [TestCase(new[] { "--overload", "--overflow=SHED" }, false, CapacityOverflow.Shed)]
    [TestCase(new[] { "--overflow", "Queue", "--overload", "--metrics-port", "0" }, false, CapacityOverflow.Queue)]
    public void Parse_Overload_RunsTheOverloadDemo(string[] args, bool fast, CapacityOverflow overflow)
    {
        var options = Parse(args);

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(ClientMode.Overload));
            Assert.That(options.Fast, Is.EqualTo(fast));
            Assert.That(options.Overflow, Is.EqualTo(overflow));
            Assert.That(options.Server, Is.Null);
            Assert.That(options.Replicas, Is.Zero);
        });
    }

    [Test]
    public void Parse_NoOverload_ShedsByDefaultButRunsTheNarratedDemo()
    {
        var options = Parse([]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(ClientMode.Demo));
            Assert.That(options.Overflow, Is.EqualTo(CapacityOverflow.Shed));
        });
    }

    [TestCase(new[] { "--overload=yes" }, "--overload takes no value")]
    [TestCase(new[] { "--overload", "--overload" }, "--overload is given more than once")]
    [TestCase(new[] { "--overload", "--server", "http://h:1" }, "--overload hosts its own in-process server; it does not go with --server")]
    [TestCase(new[] { "--overload", "--replicas", "3" }, "--overload and --replicas are different demos; give one of them")]
    [TestCase(new[] { "--overload", "--rate", "5" }, "--rate applies to continuous mode only; give --server too")]
    [TestCase(new[] { "--overflow", "queue" }, "--overflow applies to the overload demo only; give --overload too")]
    [TestCase(new[] { "--overload", "--overflow" }, "--overflow needs a value")]
    [TestCase(new[] { "--overload", "--overflow", "drop" }, "--overflow drop: must be shed or queue")]
    [TestCase(new[] { "--overload", "--overflow", "1" }, "--overflow 1: must be shed or queue")]
    [TestCase(new[] { "--overload", "--overflow=" }, "--overflow : must be shed or queue")]
    public void Parse_BadOverloadArguments_FailsWithAMessageNamingTheProblem(string[] args, string expected)
    {
        var result = CommandLine.Parse(args, metricsPortVariable: null);

        Assert.Multiple(() =>
        {
            Assert.That(result.Options, Is.Null);
            Assert.That(result.Error, Is.EqualTo(expected));
        });
    }

    [TestCase(new[] { "--replicas" }, "--replicas needs a value")]
    [TestCase(new[] { "--replicas", "1" }, "--replicas 1: must be a whole number of replicas from 2 to 9")]
    [TestCase(new[] { "--replicas", "10" }, "--replicas 10: must be a whole number of replicas from 2 to 9")]
    [TestCase(new[] { "--replicas", "0" }, "--replicas 0: must be a whole number")]
    [TestCase(new[] { "--replicas", "-3" }, "--replicas -3: must be a whole number")]
    [TestCase(new[] { "--replicas", "2.5" }, "--replicas 2.5: must be a whole number")]
    [TestCase(new[] { "--replicas", "three" }, "--replicas three: must be a whole number")]
    [TestCase(new[] { "--replicas=" }, "--replicas : must be a whole number")]
    [TestCase(new[] { "--replicas", "3", "--replicas", "4" }, "--replicas is given more than once")]
    [TestCase(new[] { "--replicas", "3", "--server", "http://h:1" }, "--replicas hosts its own in-process replicas; it does not go with --server")]
    [TestCase(new[] { "--replicas", "3", "--fast" }, "--fast applies to the single-server demo only, not with --replicas")]
    [TestCase(new[] { "--replicas", "3", "--rate", "5" }, "--rate applies to continuous mode only")]
    [TestCase(new[] { "--bogus" }, "unknown option '--bogus'")]
    [TestCase(new[] { "demo" }, "unexpected argument 'demo'")]
    [TestCase(new[] { "--server" }, "--server needs a value")]
    [TestCase(new[] { "--server", "--rate", "3" }, "--server needs a value")]
    [TestCase(new[] { "--server", "localhost:5000" }, "--server localhost:5000: must be an http:// or https:// address")]
    [TestCase(new[] { "--server", "ftp://host" }, "must be an http:// or https:// address")]
    [TestCase(new[] { "--rate", "5" }, "--rate applies to continuous mode only")]
    [TestCase(new[] { "--duration", "5s" }, "--duration applies to continuous mode only")]
    [TestCase(new[] { "--concurrency", "5" }, "--concurrency applies to continuous mode only")]
    [TestCase(new[] { "--fast", "--server", "http://h:1" }, "--fast applies to the demo only")]
    [TestCase(new[] { "--fast=yes" }, "--fast takes no value")]
    [TestCase(new[] { "--fast", "--fast" }, "--fast is given more than once")]
    [TestCase(new[] { "--server", "http://h:1", "--rate", "0" }, "--rate 0: must be a number")]
    [TestCase(new[] { "--server", "http://h:1", "--rate", "fast" }, "--rate fast: must be a number")]
    [TestCase(new[] { "--server", "http://h:1", "--rate", "-1" }, "--rate -1: must be a number")]
    [TestCase(new[] { "--server", "http://h:1", "--concurrency", "0" }, "--concurrency 0: must be a whole number")]
    [TestCase(new[] { "--server", "http://h:1", "--concurrency", "2.5" }, "--concurrency 2.5: must be a whole number")]
    [TestCase(new[] { "--server", "http://h:1", "--duration", "soon" }, "--duration soon: must be a positive duration")]
    [TestCase(new[] { "--server", "http://h:1", "--duration", "0s" }, "--duration 0s: must be a positive duration")]
    [TestCase(new[] { "--metrics-port", "70000" }, "--metrics-port 70000: must be a port number")]
    [TestCase(new[] { "--metrics-port", "http" }, "--metrics-port http: must be a port number")]
    public void Parse_BadArguments_FailsWithAMessageNamingTheProblem(string[] args, string expected)
    {
        var result = CommandLine.Parse(args, metricsPortVariable: null);

        Assert.Multiple(() =>
        {
            Assert.That(result.Options, Is.Null);
            Assert.That(result.Error, Does.Contain(expected));
        });
    }

    [Test]
    public void Parse_BadMetricsPortVariable_FailsNamingTheVariable()
    {
        var result = CommandLine.Parse([], "nine");

        Assert.That(result.Error, Does.Contain("METRICS_PORT=nine"));
    }

    [Test]
    public void Parse_DnsAddress_BalancesWithTheDefaultRefresh()
    {
        var options = Parse(["--server", "dns:///unstable-headless.resilientgrpc.svc.cluster.local:5000"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Mode, Is.EqualTo(ClientMode.Continuous));
            Assert.That(options.Balanced, Is.True);
            Assert.That(options.Server, Is.EqualTo(new Uri("dns:///unstable-headless.resilientgrpc.svc.cluster.local:5000")));
            Assert.That(options.Endpoints, Is.Empty);
            Assert.That(options.DnsRefresh, Is.EqualTo(TimeSpan.FromSeconds(30)));
        });
    }

    [Test]
    public void Parse_DnsRefreshOptionOrVariable_SetsTheInterval()
    {
        var fromOption = CommandLine.Parse(["--server", "dns:///unstable:5000", "--dns-refresh", "15s"], null, "1m");
        var fromVariable = CommandLine.Parse(["--server", "dns:///unstable:5000"], null, "1m");

        Assert.Multiple(() =>
        {
            Assert.That(fromOption.Options!.DnsRefresh, Is.EqualTo(TimeSpan.FromSeconds(15)));
            Assert.That(fromVariable.Options!.DnsRefresh, Is.EqualTo(TimeSpan.FromMinutes(1)));
        });
    }

    [Test]
    public void Parse_CommaSeparatedList_BalancesOverAStaticList()
    {
        var options = Parse(["--server", "http://server-1:5000, http://server-2:5000,http://server-3:5000"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Balanced, Is.True);
            Assert.That(options.Server, Is.EqualTo(ServerAddress.StaticAddress));
            Assert.That(options.Endpoints.Select(e => e.Authority), Is.EqualTo(new[] { "server-1:5000", "server-2:5000", "server-3:5000" }));
        });
    }

    [Test]
    public void Parse_SingleAddress_DoesNotBalance()
    {
        var options = Parse(["--server", "http://server:5000"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Balanced, Is.False);
            Assert.That(options.Endpoints, Is.Empty);
        });
    }

    [TestCase(new[] { "--server", "dns:///unstable" }, "--server dns:///unstable: must be dns:///host:port")]
    [TestCase(new[] { "--server", "dns://authority/unstable:5000" }, "must be dns:///host:port")]
    [TestCase(new[] { "--server", "dns:///unstable:99999" }, "must be dns:///host:port")]
    [TestCase(new[] { "--server", "http://a:5000,https://b:5000" }, "'https://b:5000' in the list must be an http:// address")]
    [TestCase(new[] { "--server", "http://a:5000,," }, "'' in the list must be an http:// address")]
    [TestCase(new[] { "--server", "dns:///unstable:5000", "--dns-refresh", "often" }, "--dns-refresh often: must be a positive duration")]
    [TestCase(new[] { "--server", "dns:///unstable:5000", "--dns-refresh", "0s" }, "--dns-refresh 0s: must be a positive duration")]
    [TestCase(new[] { "--server", "http://h:1", "--dns-refresh", "15s" }, "--dns-refresh applies to a dns:/// server address only")]
    [TestCase(new[] { "--dns-refresh", "15s" }, "--dns-refresh applies to continuous mode only")]
    public void Parse_BadBalancingArguments_FailsNamingTheProblem(string[] args, string expected)
    {
        var result = CommandLine.Parse(args, metricsPortVariable: null);

        Assert.Multiple(() =>
        {
            Assert.That(result.Options, Is.Null);
            Assert.That(result.Error, Does.Contain(expected));
        });
    }

    [Test]
    public void Parse_BadDnsRefreshVariable_FailsNamingTheVariable()
    {
        var result = CommandLine.Parse(["--server", "dns:///unstable:5000"], null, "soon");

        Assert.That(result.Error, Does.Contain("DNS_REFRESH=soon: must be a positive duration"));
    }

    private static ClientOptions Parse(string[] args)
    {
        var result = CommandLine.Parse(args, metricsPortVariable: null);
        Assert.That(result.Error, Is.Null);
        return result.Options!;
    }
}
