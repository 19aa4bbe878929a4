using System.Globalization;

namespace ResilientGrpc.Client.Overload;

/// <summary>
/// Checks that the overload demo showed what it promises: with the library's defaults, no less goodput during the
/// overload than without the library (within <see cref="OverloadTimings.GoodputTolerance"/>), and a breaker that stayed
/// closed; one line per thing that did not happen.
/// </summary>
internal static class OverloadStoryCheck
{
    public static IReadOnlyList<string> Check(OverloadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var problems = new List<string>();
        var bare = result.WithoutLibrary;
        var library = result.WithLibrary;
        var tolerance = result.Timings.GoodputTolerance;
        if (library.GoodputShare < bare.GoodputShare - tolerance)
        {
            problems.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"with the library's defaults, goodput during the overload was {library.GoodputShare:P0} of capacity, below the "
                + $"{bare.GoodputShare:P0} without the library by more than {tolerance:P0} of capacity"));
        }

        if (library.BreakerOpened)
        {
            problems.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"with the library's defaults, the breaker opened {library.BreakerOpenings} time(s) and rejected {library.BreakerRejected} call(s): "
                + $"it read an overloaded server as a broken one"));
        }

        return problems;
    }
}
