using System.Diagnostics;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>A traced call's context: the recorded one plus its span, a type of its own so an untraced call's is no larger.</summary>
internal sealed class TracedCallContext(WriteFlags flags, IMethod callMethod, string method, string target, long startTimestamp, Activity span)
    : RecordedCallContext(flags, callMethod, method, target, startTimestamp)
{
    /// <inheritdoc />
    public override Activity Span { get; } = span;
}
