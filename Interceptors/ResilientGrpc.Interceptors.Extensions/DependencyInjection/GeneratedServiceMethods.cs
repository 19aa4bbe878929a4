using System.Collections;
using System.Reflection;
using Grpc.Core;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Reads the methods of the service a generated client calls. Grpc.Tools nests a generated client in the static
/// class of its service, which has a public static <c>Descriptor</c> property: a Google.Protobuf
/// <c>ServiceDescriptor</c> with <c>FullName</c> and <c>Methods</c>, each with <c>Name</c>, <c>IsClientStreaming</c>
/// and <c>IsServerStreaming</c>. The library does not reference Google.Protobuf, so these public members are read by
/// name. A client without such a descriptor (hand-written, or trimmed away) gives null: nothing is known of its methods.
/// </summary>
internal static class GeneratedServiceMethods
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public;

    /// <summary>
    /// The methods of the service <paramref name="client"/> calls, from the descriptor of the generated service class it
    /// is nested in (or that a client type it derives from is nested in); null when there is none.
    /// </summary>
    public static ServiceMethods? Of(Type client)
    {
        if (!typeof(ClientBase).IsAssignableFrom(client))
        {
            return null;
        }

        for (var type = client; type is not null && type != typeof(ClientBase); type = type.BaseType)
        {
            if (type.DeclaringType?.GetProperty("Descriptor", BindingFlags.Static | BindingFlags.Public) is { } property
                && Read(property) is { } methods)
            {
                return methods;
            }
        }

        return null;
    }

    private static ServiceMethods? Read(PropertyInfo descriptorProperty)
    {
        object? descriptor;
        try
        {
            descriptor = descriptorProperty.GetValue(null);
        }
        catch (TargetInvocationException)
        {
            // A descriptor that cannot be built describes nothing; the client itself will say why when it is used.
            return null;
        }

        if (descriptor is null || Value(descriptor, "FullName") is not string name || Value(descriptor, "Methods") is not IEnumerable methods)
        {
            return null;
        }

        var kinds = new List<KeyValuePair<string, MethodType>>();
        foreach (var method in methods)
        {
            if (method is null
                || Value(method, "Name") is not string methodName
                || Value(method, "IsClientStreaming") is not bool clientStreaming
                || Value(method, "IsServerStreaming") is not bool serverStreaming)
            {
                return null;
            }

            kinds.Add(new(methodName, KindOf(clientStreaming, serverStreaming)));
        }

        return new ServiceMethods(name, kinds);
    }

    private static MethodType KindOf(bool clientStreaming, bool serverStreaming) => (clientStreaming, serverStreaming) switch
    {
        (false, false) => MethodType.Unary,
        (false, true) => MethodType.ServerStreaming,
        (true, false) => MethodType.ClientStreaming,
        (true, true) => MethodType.DuplexStreaming,
    };

    private static object? Value(object source, string property) => source.GetType().GetProperty(property, Instance)?.GetValue(source);
}
