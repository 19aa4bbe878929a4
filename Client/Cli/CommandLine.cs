using System.Globalization;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Client.Cli;

/// <summary>Parses the client's arguments (<c>--name value</c> or <c>--name=value</c>) into <see cref="ClientOptions"/>.</summary>
internal static class CommandLine
{
    /// <summary>The environment variable read for the metrics port when <c>--metrics-port</c> is not given.</summary>
    public const string MetricsPortVariable = "METRICS_PORT";

    /// <summary>The environment variable read for the DNS refresh interval when <c>--dns-refresh</c> is not given.</summary>
    public const string DnsRefreshVariable = "DNS_REFRESH";

    private const double MaxRate = 10_000;
    private const int MaxConcurrency = 1_000;

    private static readonly string[] ContinuousOnly = ["--rate", "--concurrency", "--duration", "--dns-refresh"];

    /// <summary>Parses <paramref name="args"/>.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="metricsPortVariable">The value of <c>METRICS_PORT</c>, or null when unset.</param>
    /// <param name="dnsRefreshVariable">The value of <c>DNS_REFRESH</c>, or null when unset.</param>
    /// <returns>The options, a request for help, or the first problem found.</returns>
    public static CommandLineResult Parse(IReadOnlyList<string> args, string? metricsPortVariable, string? dnsRefreshVariable = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return CommandLineResult.Help();
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return CommandLineResult.Fail($"unexpected argument '{arg}'");
            }

            var (name, value) = Split(arg);
            if (!IsKnown(name))
            {
                return CommandLineResult.Fail($"unknown option '{name}'");
            }

            if (values.ContainsKey(name))
            {
                return CommandLineResult.Fail($"{name} is given more than once");
            }

            if (name is "--fast" or "--overload")
            {
                if (value is not null)
                {
                    return CommandLineResult.Fail($"{name} takes no value");
                }

                values[name] = "true";
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    return CommandLineResult.Fail($"{name} needs a value");
                }

                value = args[++i];
            }

            values[name] = value;
        }

        return Build(values, metricsPortVariable, dnsRefreshVariable);
    }

    private static CommandLineResult Build(Dictionary<string, string> values, string? metricsPortVariable, string? dnsRefreshVariable)
    {
        var options = new ClientOptions();
        if (values.TryGetValue("--server", out var server))
        {
            if (!ServerAddress.TryParse(server, out var uri, out var endpoints, out var problem))
            {
                return CommandLineResult.Fail($"--server {server}: {problem}");
            }

            if (values.ContainsKey("--fast"))
            {
                return CommandLineResult.Fail("--fast applies to the demo only, not with --server");
            }

            options = options with { Mode = ClientMode.Continuous, Server = uri, Endpoints = endpoints };
        }
        else
        {
            var misplaced = ContinuousOnly.FirstOrDefault(values.ContainsKey);
            if (misplaced is not null)
            {
                return CommandLineResult.Fail($"{misplaced} applies to continuous mode only; give --server too");
            }

            options = options with { Fast = values.ContainsKey("--fast") };
        }

        if (values.TryGetValue("--replicas", out var replicas))
        {
            if (!int.TryParse(replicas, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || count is < ClientOptions.MinReplicas or > ClientOptions.MaxReplicas)
            {
                return CommandLineResult.Fail(
                    $"--replicas {replicas}: must be a whole number of replicas from {ClientOptions.MinReplicas} to {ClientOptions.MaxReplicas}");
            }

            if (options.Mode == ClientMode.Continuous)
            {
                return CommandLineResult.Fail("--replicas hosts its own in-process replicas; it does not go with --server");
            }

            if (options.Fast)
            {
                return CommandLineResult.Fail("--fast applies to the single-server demo only, not with --replicas");
            }

            options = options with { Mode = ClientMode.Fleet, Replicas = count };
        }

        if (values.ContainsKey("--overload"))
        {
            if (options.Mode == ClientMode.Continuous)
            {
                return CommandLineResult.Fail("--overload hosts its own in-process server; it does not go with --server");
            }

            if (options.Mode == ClientMode.Fleet)
            {
                return CommandLineResult.Fail("--overload and --replicas are different demos; give one of them");
            }

            options = options with { Mode = ClientMode.Overload };
        }

        if (values.TryGetValue("--overflow", out var overflow))
        {
            if (options.Mode != ClientMode.Overload)
            {
                return CommandLineResult.Fail("--overflow applies to the overload demo only; give --overload too");
            }

            CapacityOverflow? excess =
                string.Equals(overflow, "shed", StringComparison.OrdinalIgnoreCase) ? CapacityOverflow.Shed
                : string.Equals(overflow, "queue", StringComparison.OrdinalIgnoreCase) ? CapacityOverflow.Queue
                : null;
            if (excess is not { } mode)
            {
                return CommandLineResult.Fail($"--overflow {overflow}: must be shed or queue");
            }

            options = options with { Overflow = mode };
        }

        if (values.TryGetValue("--rate", out var rate))
        {
            if (!double.TryParse(rate, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var calls) || calls <= 0 || calls > MaxRate)
            {
                return CommandLineResult.Fail($"--rate {rate}: must be a number of calls per second greater than 0 and at most {MaxRate}");
            }

            options = options with { Rate = calls };
        }

        if (values.TryGetValue("--concurrency", out var concurrency))
        {
            if (!int.TryParse(concurrency, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxConcurrency)
            {
                return CommandLineResult.Fail($"--concurrency {concurrency}: must be a whole number from 1 to {MaxConcurrency}");
            }

            options = options with { Concurrency = limit };
        }

        if (values.TryGetValue("--duration", out var duration))
        {
            if (!DurationParser.TryParse(duration, out var length))
            {
                return CommandLineResult.Fail($"--duration {duration}: must be a positive duration such as 90s, 2m, 500ms, 1h or 00:01:30");
            }

            options = options with { Duration = length };
        }

        if (values.TryGetValue("--dns-refresh", out var refresh))
        {
            if (!DurationParser.TryParse(refresh, out var interval))
            {
                return CommandLineResult.Fail($"--dns-refresh {refresh}: must be a positive duration such as 15s, 1m or 00:00:30");
            }

            if (options.Server?.Scheme != ServerAddress.DnsScheme)
            {
                return CommandLineResult.Fail("--dns-refresh applies to a dns:/// server address only");
            }

            options = options with { DnsRefresh = interval };
        }
        else if (!string.IsNullOrWhiteSpace(dnsRefreshVariable) && options.Server?.Scheme == ServerAddress.DnsScheme)
        {
            if (!DurationParser.TryParse(dnsRefreshVariable, out var interval))
            {
                return CommandLineResult.Fail($"{DnsRefreshVariable}={dnsRefreshVariable}: must be a positive duration such as 15s, 1m or 00:00:30");
            }

            options = options with { DnsRefresh = interval };
        }

        if (values.TryGetValue("--metrics-port", out var port))
        {
            if (!TryParsePort(port, out var number))
            {
                return CommandLineResult.Fail($"--metrics-port {port}: must be a port number from 0 to 65535");
            }

            options = options with { MetricsPort = number };
        }
        else if (!string.IsNullOrWhiteSpace(metricsPortVariable))
        {
            if (!TryParsePort(metricsPortVariable, out var number))
            {
                return CommandLineResult.Fail($"{MetricsPortVariable}={metricsPortVariable}: must be a port number from 0 to 65535");
            }

            options = options with { MetricsPort = number };
        }

        return CommandLineResult.Run(options);
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (arg, null) : (arg[..equals], arg[(equals + 1)..]);
    }

    private static bool IsKnown(string name) =>
        name is "--server" or "--rate" or "--concurrency" or "--duration" or "--metrics-port" or "--dns-refresh" or "--fast" or "--replicas"
            or "--overload" or "--overflow";

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;
}
