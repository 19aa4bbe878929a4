using System.Collections.Frozen;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>The methods of one gRPC service (<c>unstable.v1.UnstableService</c>) by short name (<c>Process</c>), with the call kind of each.</summary>
internal sealed class ServiceMethods
{
    private readonly FrozenDictionary<string, MethodType> methods;

    public ServiceMethods(string name, IEnumerable<KeyValuePair<string, MethodType>> methods)
    {
        Name = name;
        this.methods = methods.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public string Name { get; }

    public bool TryGetKind(string method, out MethodType kind) => methods.TryGetValue(method, out kind);
}
