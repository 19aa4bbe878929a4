using Microsoft.Extensions.Logging.Console;

namespace ResilientGrpc.Client.Hosting;

/// <summary>
/// One log line per event with a <c>HH:mm:ss.fff</c> timestamp, readable in a terminal and in
/// <c>docker compose logs</c>; the framework's own chatter is limited to warnings.
/// </summary>
internal static class ConsoleLogging
{
    public static void Configure(ILoggingBuilder logging, LogLevel minimumLevel = LogLevel.Information)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.IncludeScopes = false;
            console.ColorBehavior = LoggerColorBehavior.Default;
        });
        logging.SetMinimumLevel(minimumLevel);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Grpc", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
    }
}
