using ResilientGrpc.Server.Chaos;

namespace ResilientGrpc.Client.Overload;

/// <summary>Both runs of the overload demo.</summary>
/// <param name="Runs">Without the library, then with its defaults.</param>
/// <param name="Timings">The timings both ran with.</param>
/// <param name="Overflow">What the server did with the excess.</param>
internal sealed record OverloadResult(IReadOnlyList<OverloadRunResult> Runs, OverloadTimings Timings, CapacityOverflow Overflow)
{
    public OverloadRunResult WithoutLibrary => Runs.Single(r => !r.WithLibrary);

    public OverloadRunResult WithLibrary => Runs.Single(r => r.WithLibrary);
}
