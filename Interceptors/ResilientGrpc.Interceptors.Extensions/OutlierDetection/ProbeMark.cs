using System.Globalization;
using System.Net;
using Grpc.Net.Client.Balancer;

namespace ResilientGrpc.Interceptors.OutlierDetection;

/// <summary>
/// What the picker leaves on an HTTP request for the status handler below the balancer: which endpoint's readmission
/// probe the request carries. Also names endpoints the one way both sides use (<c>host:port</c>, IPv6 in brackets).
/// </summary>
internal static class ProbeMark
{
    /// <summary>The request option grpc-dotnet's balancer handler sets to the picked address (<c>BalancerHttpHandler.CurrentAddressKey</c>).</summary>
    public static readonly HttpRequestOptionsKey<BalancerAddress> CurrentAddress = new("CurrentAddress");

    private static readonly HttpRequestOptionsKey<string?> Probe = new("ResilientGrpc.OutlierDetection.Probe");

    /// <summary>Marks <paramref name="request"/> as the probe of <paramref name="endpoint"/>.</summary>
    public static void Set(HttpRequestMessage request, string endpoint) => request.Options.Set(Probe, endpoint);

    /// <summary>The endpoint whose probe <paramref name="request"/> carries, if any, and clears the mark.</summary>
    public static string? Take(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(Probe, out var endpoint) && endpoint is not null)
        {
            request.Options.Set(Probe, null);
            return endpoint;
        }

        return null;
    }

    /// <summary>The name of <paramref name="address"/>'s endpoint.</summary>
    public static string NameOf(BalancerAddress address) => NameOf(address.EndPoint);

    public static string NameOf(DnsEndPoint endpoint) => NameOf(endpoint.Host, endpoint.Port);

    /// <summary>The name of the endpoint a request goes to: the address the balancer picked, or else its URI.</summary>
    public static string? EndpointOf(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(CurrentAddress, out var address) && address is not null)
        {
            return NameOf(address);
        }

        return request.RequestUri is { IsAbsoluteUri: true } uri ? NameOf(uri.Host, uri.Port) : null;
    }

    private static string NameOf(string host, int port)
    {
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var shown = bare.Contains(':', StringComparison.Ordinal) ? "[" + bare + "]" : bare;
        return shown + ":" + port.ToString(CultureInfo.InvariantCulture);
    }
}
