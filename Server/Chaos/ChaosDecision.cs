using Grpc.Core;

namespace ResilientGrpc.Server.Chaos;

/// <summary>
/// What to do with one call: serve it, fail it with <see cref="Code"/> (sending <see cref="Pushback"/>, when set,
/// as the <c>grpc-retry-pushback-ms</c> trailer), or hang for <see cref="HangDuration"/> first.
/// </summary>
internal readonly record struct ChaosDecision(ChaosOutcome Outcome, StatusCode Code, TimeSpan HangDuration, string? Pushback)
{
    public static ChaosDecision Ok { get; } = new(ChaosOutcome.Ok, StatusCode.OK, TimeSpan.Zero, null);

    public static ChaosDecision Outage(string? pushback) => new(ChaosOutcome.Outage, StatusCode.Unavailable, TimeSpan.Zero, pushback);

    public static ChaosDecision Error(StatusCode code, string? pushback) => new(ChaosOutcome.Error, code, TimeSpan.Zero, pushback);

    public static ChaosDecision Hang(TimeSpan duration) => new(ChaosOutcome.Hang, StatusCode.OK, duration, null);

    public override string ToString() => Outcome switch
    {
        ChaosOutcome.Error => $"error {ChaosStatusCodes.ToName(Code)}{PushbackSuffix}",
        ChaosOutcome.Hang => $"hang {ChaosDuration.Format(HangDuration)}",
        ChaosOutcome.Outage => $"outage UNAVAILABLE{PushbackSuffix}",
        _ => "ok",
    };

    private string PushbackSuffix => Pushback is null ? string.Empty : $" pushback {Pushback}";
}
