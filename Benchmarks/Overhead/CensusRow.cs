using System.Globalization;
using System.Text.RegularExpressions;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>One contender's census: per type, the objects and bytes its calls allocated, and the number of calls.</summary>
internal sealed partial record CensusRow(string Name, IReadOnlyDictionary<string, (long Objects, long Bytes)> Types, int Calls)
{
    /// <summary>Objects that are fewer than one call in ten (a timer's, a metric's) are the process's, not a call's.</summary>
    private const double Noise = 0.1;

    public double Objects => PerCall.Sum(t => t.Value.Objects);

    public double Bytes => PerCall.Sum(t => t.Value.Bytes);

    private IEnumerable<KeyValuePair<string, (double Objects, double Bytes)>> PerCall =>
        Types.Select(t => KeyValuePair.Create(t.Key, ((double)t.Value.Objects / Calls, (double)t.Value.Bytes / Calls)))
            .Where(t => Math.Abs(t.Value.Item1) >= Noise);

    public static CensusRow Parse(string name, string output)
    {
        var types = new Dictionary<string, (long Objects, long Bytes)>();
        var calls = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length == 2 && parts[0] == "calls")
            {
                calls = int.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            else if (parts.Length == 3)
            {
                types[parts[0]] = (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
            }
        }

        return new CensusRow(name, types, calls);
    }

    public string Line() => FormattableString.Invariant($"{Name}: {Objects:0.0} objects, {Bytes:0} B per call");

    public string TableLine(CensusRow? bare)
    {
        var beyond = bare is null ? "" : string.Join(", ", PerCall
            .Select(t => (t.Key, Objects: t.Value.Objects - bare.ObjectsOf(t.Key)))
            .Where(t => Math.Abs(t.Objects) >= Noise)
            .OrderByDescending(t => t.Objects)
            .Select(t => FormattableString.Invariant($"`{Shorten(t.Key)}` {t.Objects:0.#}")));
        return FormattableString.Invariant(
            $"| {Name} | {Objects:0.0} | {Bytes:0} | {Objects - (bare?.Objects ?? 0):0.0} | {Bytes - (bare?.Bytes ?? 0):0} | {beyond} |");
    }

    private double ObjectsOf(string type) => Types.TryGetValue(type, out var count) && Math.Abs((double)count.Objects / Calls) >= Noise ? (double)count.Objects / Calls : 0;

    /// <summary>
    /// A type's name without namespaces or generic arguments, and an async method's box as <c>async Type.Method</c>,
    /// so the table stays readable.
    /// </summary>
    private static string Shorten(string type)
    {
        var name = Namespaces().Replace(type, "");
        var box = name.IndexOf("AsyncStateMachineBox<", StringComparison.Ordinal);
        if (box >= 0)
        {
            name = "async " + name[(box + "AsyncStateMachineBox<".Length)..^1];
        }

        name = CompilerName().Replace(name, "$1()");
        for (var previous = ""; previous != name;)
        {
            previous = name;
            name = GenericArguments().Replace(name, "");
        }

        return name.Replace('+', '.');
    }

    [GeneratedRegex(@"\b[A-Za-z_][A-Za-z0-9_]*\.(?=[A-Za-z_<])")]
    private static partial Regex Namespaces();

    [GeneratedRegex(@"<<?([A-Za-z0-9_]+)>[a-z0-9_|]*d(__\d+)?")]
    private static partial Regex CompilerName();

    [GeneratedRegex(@"<[^<>]*>")]
    private static partial Regex GenericArguments();
}
