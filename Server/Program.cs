using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ResilientGrpc.Server.Chaos;
using ResilientGrpc.Server.Hosting;

// The unstable (chaos) server. gRPC over plaintext HTTP/2 (h2c) on PORT (default 5000) and the
// Prometheus endpoint over HTTP/1.1 on METRICS_PORT (default 9464), unless --urls/ASPNETCORE_URLS
// choose the endpoints. Bad configuration ends start-up with exit code 2 before anything listens.
const int ConfigurationError = 2;

var builder = WebApplication.CreateBuilder(args);
var problems = new List<string>();
var port = ReadPort("PORT", 5000);
var metricsPort = ReadPort("METRICS_PORT", 9464);

if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
{
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        kestrel.ListenAnyIP(port, listen => listen.Protocols = HttpProtocols.Http2);
        kestrel.ListenAnyIP(metricsPort, listen => listen.Protocols = HttpProtocols.Http1);
    });
}
else
{
    // Plaintext HTTP/1.1+HTTP/2 cannot negotiate HTTP/2 without TLS, so h2c is the default here too.
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
}

WebApplication? app = null;
try
{
    app = UnstableServerApplication.Build(builder);
}
catch (ChaosConfigurationException ex)
{
    problems.InsertRange(0, ex.Problems.Select(p => "  - " + p));
}

if (app is null || problems.Count > 0)
{
    await Console.Error.WriteLineAsync(
        $"Invalid configuration ({problems.Count} problem(s)); the server did not start:{Environment.NewLine}"
        + string.Join(Environment.NewLine, problems));
    if (app is not null)
    {
        await app.DisposeAsync();
    }

    return ConfigurationError;
}

await app.RunAsync();
return 0;

int ReadPort(string variable, int defaultPort)
{
    var raw = builder.Configuration[variable];
    if (string.IsNullOrWhiteSpace(raw))
    {
        return defaultPort;
    }

    if (int.TryParse(raw.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 65535)
    {
        return value;
    }

    problems.Add($"  - {variable}={raw}: must be a TCP port number between 1 and 65535");
    return defaultPort;
}
