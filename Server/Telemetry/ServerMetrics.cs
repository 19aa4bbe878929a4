using System.Diagnostics.Metrics;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Server.Telemetry;

/// <summary>The server's instruments, on one <see cref="Meter"/> named <see cref="MeterName"/>.</summary>
internal sealed class ServerMetrics
{
    public const string MeterName = "ResilientGrpc.Server";
    public const string CallsName = "unstable.server.calls";
    public const string AbandonedName = "unstable.server.calls.abandoned";
    public const string ShedName = "unstable.server.calls.shed";
    public const string QueuedName = "unstable.server.calls.queued";
    public const string ServedAfterCallerLeftName = "unstable.server.calls.served_after_caller_left";
    public const string MethodTag = "grpc.method";
    public const string OutcomeTag = "outcome";

    private readonly Counter<long> _calls;
    private readonly Counter<long> _abandoned;
    private readonly Counter<long> _shed;
    private readonly Counter<long> _queued;
    private readonly Counter<long> _servedAfterCallerLeft;

    public ServerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _calls = meter.CreateCounter<long>(CallsName, "{call}", "Calls received, by method and injected chaos outcome.");
        _abandoned = meter.CreateCounter<long>(AbandonedName, "{call}", "Calls abandoned by the caller (cancelled or deadline passed) before the server answered.");
        _shed = meter.CreateCounter<long>(ShedName, "{call}", "Calls refused with UNAVAILABLE because every handler was busy (capacity mode).");
        _queued = meter.CreateCounter<long>(QueuedName, "{call}", "Calls that waited for a handler because every handler was busy (capacity mode).");
        _servedAfterCallerLeft = meter.CreateCounter<long>(
            ServedAfterCallerLeftName, "{call}", "Calls whose handler finished serving them after their caller had left (capacity mode).");
    }

    public void RecordCall(string fullMethod, ChaosOutcome outcome) =>
        _calls.Add(1, new KeyValuePair<string, object?>(MethodTag, fullMethod), new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)));

    public void RecordAbandoned(string fullMethod) =>
        _abandoned.Add(1, new KeyValuePair<string, object?>(MethodTag, fullMethod));

    public void RecordShed(string fullMethod) => _shed.Add(1, new KeyValuePair<string, object?>(MethodTag, fullMethod));

    public void RecordQueued(string fullMethod) => _queued.Add(1, new KeyValuePair<string, object?>(MethodTag, fullMethod));

    public void RecordServedAfterCallerLeft(string fullMethod) =>
        _servedAfterCallerLeft.Add(1, new KeyValuePair<string, object?>(MethodTag, fullMethod));

    internal static string OutcomeName(ChaosOutcome outcome) => outcome switch
    {
        ChaosOutcome.Error => "error",
        ChaosOutcome.Hang => "hang",
        ChaosOutcome.Outage => "outage",
        _ => "ok",
    };
}
