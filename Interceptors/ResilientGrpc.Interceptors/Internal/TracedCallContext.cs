using System.Diagnostics;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// The context of a call that a listener traces: the shared context, plus the call's span. Its own type, so that an
/// untraced call's context, the one object a healthy call allocates, is not a field larger.
/// </summary>
internal sealed class TracedCallContext : ResilienceCallContext
{
    public TracedCallContext(WriteFlags flags, IMethod callMethod, string method, string target, long startTimestamp, Activity span)
        : base(flags, callMethod, method, target, startTimestamp, isRecorded: true) => CallSpan = span;

    /// <summary>The call's span, started and ended by the interceptor that created this context.</summary>
    public Activity CallSpan { get; }
}
