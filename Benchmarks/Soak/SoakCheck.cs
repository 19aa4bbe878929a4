namespace ResilientGrpc.Benchmarks.Soak;

/// <summary>One bar of the soak's verdict.</summary>
/// <param name="Name">What is judged.</param>
/// <param name="Bar">What passes.</param>
/// <param name="Measured">What the run measured.</param>
/// <param name="Pass">Whether it passed.</param>
internal readonly record struct SoakCheck(string Name, string Bar, string Measured, bool Pass);
