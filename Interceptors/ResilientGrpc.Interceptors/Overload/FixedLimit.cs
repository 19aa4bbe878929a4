namespace ResilientGrpc.Interceptors.Overload;

/// <summary>A limit that never moves: a bulkhead.</summary>
internal sealed class FixedLimit : LimitAlgorithm
{
    public override bool IsFixed => true;

    protected override double Cut(double limit, in LimitRound round) => limit;
}
