using Grpc.Core;
using Grpc.Net.Client.Configuration;

namespace ResilientGrpc.Benchmarks.Overload;

/// <summary>
/// One contender of the overload profile: its name, the stack it puts on a fresh channel's call invoker, and what its
/// caller and channel add. Every contender is one line of <see cref="OverloadContenders.All"/>.
/// </summary>
/// <param name="Name">The name in the tables and for <c>--only</c>.</param>
/// <param name="Stack">Wraps the channel's call invoker with the contender's resilience.</param>
/// <param name="HasBreaker">Whether it has a circuit breaker whose openings are reported.</param>
/// <param name="CallDeadline">Whether the caller sets the policy's attempt timeout as each call's deadline (for a stack without an attempt timeout of its own).</param>
/// <param name="ServiceConfig">A service config for the channel (grpc-dotnet's built-in retry), or null.</param>
public sealed record OverloadContender(
    string Name,
    Func<CallInvoker, ContenderSetup, CallInvoker> Stack,
    bool HasBreaker = false,
    bool CallDeadline = false,
    Func<ContenderSetup, ServiceConfig>? ServiceConfig = null)
{
    /// <inheritdoc />
    public override string ToString() => Name;
}
