using System.Collections.Frozen;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>The methods of one gRPC service and the call kind of each, as the service's generated code describes them.</summary>
internal sealed class ServiceMethods
{
    private readonly FrozenDictionary<string, MethodType> methods;

    /// <param name="name">The full service name, <c>unstable.v1.UnstableService</c>.</param>
    /// <param name="methods">Each method's short name (<c>Process</c>) and kind.</param>
    public ServiceMethods(string name, IEnumerable<KeyValuePair<string, MethodType>> methods)
    {
        Name = name;
        this.methods = methods.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public string Name { get; }

    /// <summary>The kind of the method <paramref name="method"/> (a short name, <c>Process</c>), if the service has it.</summary>
    public bool TryGetKind(string method, out MethodType kind) => methods.TryGetValue(method, out kind);
}
