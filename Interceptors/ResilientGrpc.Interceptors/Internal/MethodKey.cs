using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>Per-method settings are keyed by full method name (<c>/package.Service/Method</c>, which wins) or service name.</summary>
internal static class MethodKey
{
    public static bool IsValid(string? key) => !string.IsNullOrWhiteSpace(key);

    public static string? ServiceOf(string key)
    {
        var slash = key.LastIndexOf('/');
        return key.StartsWith('/') && slash > 1 ? key[1..slash] : null;
    }

    public static bool Matches(FrozenSet<string> keys, IMethod method) =>
        keys.Count != 0 && (keys.Contains(method.FullName) || keys.Contains(method.ServiceName));

    public static bool TryGet<T>(FrozenDictionary<string, T> values, IMethod method, out T value)
    {
        if (values.Count == 0)
        {
            value = default!;
            return false;
        }

        return values.TryGetValue(method.FullName, out value!) || values.TryGetValue(method.ServiceName, out value!);
    }
}

/// <summary>The <c>grpc.method</c> tag value (the full method name without its leading slash), computed once per method.</summary>
internal static class MethodNames
{
    private static readonly ConditionalWeakTable<IMethod, string> Cache = [];

    public static string Of(IMethod method) =>
        Cache.GetValue(method, static m => m.FullName.TrimStart('/'));
}
