using System.Diagnostics.Metrics;
using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Server.Telemetry;

/// <summary>The server's instruments, on one <see cref="Meter"/> named <see cref="MeterName"/>.</summary>
internal sealed class ServerMetrics
{
    public const string MeterName = "ResilientGrpc.Server";
    public const string CallsName = "unstable.server.calls";
    public const string AbandonedName = "unstable.server.calls.abandoned";
    public const string MethodTag = "grpc.method";
    public const string OutcomeTag = "outcome";

    private readonly Counter<long> _calls;
    private readonly Counter<long> _abandoned;

    public ServerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _calls = meter.CreateCounter<long>(CallsName, "{call}", "Calls received, by method and injected chaos outcome.");
        _abandoned = meter.CreateCounter<long>(AbandonedName, "{call}", "Calls abandoned by the caller (cancelled or deadline passed) before the server answered.");
    }

    public void RecordCall(string fullMethod, ChaosOutcome outcome) =>
        _calls.Add(1, new KeyValuePair<string, object?>(MethodTag, fullMethod), new KeyValuePair<string, object?>(OutcomeTag, OutcomeName(outcome)));

    public void RecordAbandoned(string fullMethod) =>
        _abandoned.Add(1, new KeyValuePair<string, object?>(MethodTag, fullMethod));

    internal static string OutcomeName(ChaosOutcome outcome) => outcome switch
    {
        ChaosOutcome.Error => "error",
        ChaosOutcome.Hang => "hang",
        ChaosOutcome.Outage => "outage",
        _ => "ok",
    };
}
