namespace ResilientGrpc.Client.Reporting;

/// <summary>
/// Cross-checks the summary: the client's own view of each call, the library's metrics and the server's
/// count must tell the same story.
/// </summary>
internal static class SummaryAccounting
{
    /// <summary>Returns one line per inconsistency; empty when every figure agrees.</summary>
    public static IReadOnlyList<string> Check(IEnumerable<PhaseSummary> phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        var problems = new List<string>();
        foreach (var phase in phases)
        {
            var t = phase.Traffic;
            if (t.Succeeded + t.Rejected + t.Failed != t.Calls)
            {
                problems.Add($"{phase.Phase}: ok {t.Succeeded} + rejected {t.Rejected} + failed {t.Failed} != calls {t.Calls}");
            }

            // The library counts an attempt as started only when the breaker let it through.
            if (t.Attempts != phase.ExpectedAtServer)
            {
                problems.Add($"{phase.Phase}: the library started {t.Attempts} attempts, but calls + retries + hedges - rejected = {phase.ExpectedAtServer}");
            }

            if (t.BreakerRejections != t.Rejected)
            {
                problems.Add($"{phase.Phase}: the breaker reported {t.BreakerRejections} rejections, the caller saw {t.Rejected}");
            }

            if (phase.ExpectedAtServer != phase.ServerReceived)
            {
                problems.Add($"{phase.Phase}: calls + retries + hedges - rejected = {phase.ExpectedAtServer} attempts sent, but the server received {phase.ServerReceived}");
            }
        }

        return problems;
    }
}
