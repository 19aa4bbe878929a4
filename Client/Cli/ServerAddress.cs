namespace ResilientGrpc.Client.Cli;

/// <summary>
/// Reads <c>--server</c>: one <c>http://</c> or <c>https://</c> address (one endpoint, as before); a
/// <c>dns:///host:port</c> address, balanced over every address the name resolves to (a headless Service); or a
/// comma-separated list of <c>http://</c> addresses, balanced as <c>static:///</c> over exactly those.
/// </summary>
internal static class ServerAddress
{
    /// <summary>The scheme of grpc-dotnet's DNS resolver.</summary>
    public const string DnsScheme = "dns";

    /// <summary>The scheme of grpc-dotnet's static resolver; the channel address of a list of endpoints.</summary>
    public const string StaticScheme = "static";

    /// <summary>The channel address of a list of endpoints.</summary>
    public static readonly Uri StaticAddress = new("static:///unstable");

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <param name="text">The value of <c>--server</c>.</param>
    /// <param name="address">The channel's address.</param>
    /// <param name="endpoints">The endpoints of a list; empty otherwise.</param>
    /// <param name="problem">What is wrong, when the result is false.</param>
    /// <returns>Whether <paramref name="text"/> is a valid server address.</returns>
    public static bool TryParse(string text, out Uri? address, out IReadOnlyList<Uri> endpoints, out string? problem)
    {
        address = null;
        endpoints = [];
        problem = null;
        if (text.StartsWith(DnsScheme + ":", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseDns(text, out address, out problem);
        }

        if (text.Contains(',', StringComparison.Ordinal))
        {
            var list = new List<Uri>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!TryParseHttp(part, out var endpoint) || endpoint.Scheme != Uri.UriSchemeHttp)
                {
                    problem = $"'{part}' in the list must be an http:// address such as http://server-1:5000 (a list is plaintext HTTP/2)";
                    return false;
                }

                list.Add(endpoint);
            }

            address = StaticAddress;
            endpoints = list;
            return true;
        }

        if (!TryParseHttp(text, out var single))
        {
            problem = "must be an http:// or https:// address such as http://localhost:5000, a dns:///host:port address, "
                + "or a comma-separated list of http:// addresses";
            return false;
        }

        address = single;
        return true;
    }

    private static bool TryParseDns(string text, out Uri? address, out string? problem)
    {
        address = null;
        problem = "must be dns:///host:port, such as dns:///unstable-headless.default.svc.cluster.local:5000";
        if (!text.StartsWith("dns:///", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hostPort = text["dns:///".Length..];
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || hostPort.Contains('/', StringComparison.Ordinal)
            || Uri.CheckHostName(hostPort[..colon]) == UriHostNameType.Unknown
            || !int.TryParse(hostPort[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        address = new Uri("dns:///" + hostPort);
        problem = null;
        return true;
    }

    private static bool TryParseHttp(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(text, UriKind.Absolute, out uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;
}
