using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>The caller's deadline of a call, as every layer reads it: in UTC, or <see cref="None"/>.</summary>
internal static class CallerDeadline
{
    public static readonly DateTime None = DateTime.MaxValue;

    public static DateTime Of(in CallOptions options) =>
        options.Deadline is { } deadline && deadline != DateTime.MaxValue ? deadline.ToUniversalTime() : None;

    /// <summary>Whether <paramref name="deadline"/> has passed, or passes within <paramref name="wait"/> from now.</summary>
    public static bool PassesWithin(DateTime deadline, TimeSpan wait, TimeProvider time) =>
        deadline != None && time.GetUtcNow().UtcDateTime + wait >= deadline;

    public static TimeSpan? TimeLeft(DateTime deadline, TimeProvider time) =>
        deadline == None ? null : deadline - time.GetUtcNow().UtcDateTime;

    /// <summary>Whether the caller has given up (cancelled, or its deadline passed): an attempt then fails without reaching the server.</summary>
    public static bool CallerGaveUp(in CallOptions options, TimeProvider time) =>
        options.CancellationToken.IsCancellationRequested || PassesWithin(Of(options), TimeSpan.Zero, time);
}
