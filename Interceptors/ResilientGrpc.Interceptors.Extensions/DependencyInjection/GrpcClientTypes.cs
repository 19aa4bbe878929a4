using System.Reflection;
using Grpc.Net.ClientFactory;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Finds the client type <c>AddGrpcClient&lt;TClient&gt;(name)</c> registered under a name: the builder it returns
/// carries only the name. The client factory keeps its name → client type map in a registry of its own, the one its
/// <c>CreateClient</c> checks, which it adds to the services as a singleton instance; that registry is an internal type
/// of Grpc.Net.ClientFactory, so it is read by reflection. Whatever does not look as expected (a builder made by
/// <c>AddHttpClient</c>, a grpc-dotnet that keeps the map elsewhere) gives no client type, never an error.
/// </summary>
internal static class GrpcClientTypes
{
    private const string RegistryTypeName = "Grpc.Net.ClientFactory.Internal.GrpcClientMappingRegistry";
    private const string RegistrationsName = "NamedClientRegistrations";

    /// <summary>The client type registered as <paramref name="name"/>, or null when none is found.</summary>
    public static Type? Of(IServiceProvider services, string name)
    {
        var registryType = typeof(GrpcClientFactory).Assembly.GetType(RegistryTypeName, throwOnError: false);
        if (registryType is null || services.GetService(registryType) is not { } registry)
        {
            return null;
        }

        var registrations = registryType
            .GetProperty(RegistrationsName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?
            .GetValue(registry) as IReadOnlyDictionary<string, Type>;
        return registrations is not null && registrations.TryGetValue(name, out var client) ? client : null;
    }
}
