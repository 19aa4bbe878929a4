using System.Globalization;
using ResilientGrpc.Client.Cli;
using ResilientGrpc.Client.Fleet;
using ResilientGrpc.Client.Overload;
using ResilientGrpc.Client.Scenario;

namespace ResilientGrpc.Client.Hosting;

/// <summary>Parses the command line and runs the chosen mode; maps the outcome to an exit code.</summary>
internal static class ClientApplication
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int Stopped = 130;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = CommandLine.Parse(
            args,
            Environment.GetEnvironmentVariable(CommandLine.MetricsPortVariable),
            Environment.GetEnvironmentVariable(CommandLine.DnsRefreshVariable));
        if (parsed.ShowHelp)
        {
            await output.WriteAsync(Usage.Text);
            return Success;
        }

        if (parsed.Options is not { } options)
        {
            await error.WriteLineAsync("error: " + parsed.Error);
            await error.WriteLineAsync();
            await error.WriteAsync(Usage.Text);
            return UsageError;
        }

        try
        {
            if (options.Mode == ClientMode.Continuous)
            {
                await ContinuousApplication.RunAsync(options, l => ConsoleLogging.Configure(l), CancellationToken.None);
                return Success;
            }

            if (options.Mode == ClientMode.Fleet)
            {
                var fleet = await FleetApplication.RunAsync(options.Replicas, FleetTimings.Default, ConsoleLogging.Configure, CancellationToken.None);
                return FleetReport.Write(fleet, output).Count == 0 ? Success : Failure;
            }

            if (options.Mode == ClientMode.Overload)
            {
                var overload = await OverloadApplication.RunAsync(
                    options.Fast ? OverloadTimings.Fast : OverloadTimings.Default, options.Overflow, ConsoleLogging.Configure, CancellationToken.None);
                return OverloadReport.Write(overload, output).Count == 0 ? Success : Failure;
            }

            var timings = options.Fast ? ScenarioTimings.Fast : ScenarioTimings.Default;
            var result = await DemoApplication.RunAsync(timings, options.MetricsPort, ConsoleLogging.Configure, CancellationToken.None);
            var problems = DemoReport.Write(result, output);
            return problems.Count == 0 ? Success : Failure;
        }
        catch (SettingsException ex)
        {
            await error.WriteLineAsync("error: invalid resilience settings: " + ex.Message);
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("stopped");
            return Stopped;
        }
        catch (TimeoutException ex)
        {
            await error.WriteLineAsync("error: " + ex.Message);
            return Failure;
        }
        catch (IOException ex)
        {
            // Typically the metrics port is taken.
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"error: {ex.Message} (metrics port {options.MetricsPort}; choose another with --metrics-port)"));
            return Failure;
        }
    }
}
