using System.Globalization;

namespace ResilientGrpc.Client.Fleet;

/// <summary>Checks that the fleet demo showed what it promises; one line per thing that did not happen.</summary>
internal static class FleetStoryCheck
{
    public static IReadOnlyList<string> Check(FleetResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var problems = new List<string>();
        var ejection = result.WithEjection.Ejection;
        if (!ejection.Ejected)
        {
            problems.Add("the run with ejection did not eject replica 2 while it was down");
            return problems;
        }

        // After the ejection only its probes should reach it, and the few attempts already on their way.
        var allowed = ejection.FailedProbes + result.Timings.Workers;
        if (ejection.ReceivedAfterEjection > allowed)
        {
            problems.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"replica 2 received {ejection.ReceivedAfterEjection} attempts after its ejection, more than its {ejection.FailedProbes} failed probes "
                + $"plus the {result.Timings.Workers} attempts that can be in flight"));
        }

        if (ejection.Returns == 0)
        {
            problems.Add("replica 2 never returned to the picks after it came back");
        }

        if (ejection.OtherEjections > 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{ejection.OtherEjections} ejections of healthy replicas"));
        }

        return problems;
    }
}
