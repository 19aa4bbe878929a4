using System.Runtime.CompilerServices;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>The <c>grpc.method</c> tag value (the full method name without its leading slash), computed once per method.</summary>
internal static class MethodNames
{
    private static readonly ConditionalWeakTable<IMethod, string> Cache = [];

    public static string Of(IMethod method) =>
        Cache.GetValue(method, static m => m.FullName.TrimStart('/'));
}
