using System.Diagnostics;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Telemetry;

/// <summary>
/// The context of a call that a listener traces: the recorded context, plus the call's span. Its own type, so that an
/// untraced call's context is not a field larger.
/// </summary>
internal sealed class TracedCallContext(WriteFlags flags, IMethod callMethod, string method, string target, long startTimestamp, Activity span)
    : RecordedCallContext(flags, callMethod, method, target, startTimestamp)
{
    /// <inheritdoc />
    public override Activity Span { get; } = span;
}
