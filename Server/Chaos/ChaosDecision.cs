using Grpc.Core;

namespace ResilientGrpc.Server.Chaos;

/// <summary>What to do with one call: serve it, fail it with <see cref="Code"/>, or hang for <see cref="HangDuration"/> first.</summary>
internal readonly record struct ChaosDecision(ChaosOutcome Outcome, StatusCode Code, TimeSpan HangDuration)
{
    public static ChaosDecision Ok { get; } = new(ChaosOutcome.Ok, StatusCode.OK, TimeSpan.Zero);

    public static ChaosDecision Outage { get; } = new(ChaosOutcome.Outage, StatusCode.Unavailable, TimeSpan.Zero);

    public static ChaosDecision Error(StatusCode code) => new(ChaosOutcome.Error, code, TimeSpan.Zero);

    public static ChaosDecision Hang(TimeSpan duration) => new(ChaosOutcome.Hang, StatusCode.OK, duration);

    public override string ToString() => Outcome switch
    {
        ChaosOutcome.Error => $"error {ChaosStatusCodes.ToName(Code)}",
        ChaosOutcome.Hang => $"hang {ChaosDuration.Format(HangDuration)}",
        ChaosOutcome.Outage => "outage UNAVAILABLE",
        _ => "ok",
    };
}
