using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime;
using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;
using BenchmarkDotNet.Attributes;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// <c>census [--of pending|completed] [--calls N] [--only NAMES]</c>: the objects a call allocates, counted, not
/// estimated (BenchmarkDotNet gives bytes). Each contender of <see cref="PendingCallBenchmarks"/> (A.6, the default) or
/// <see cref="InterceptionOverheadBenchmarks"/> (A.1) runs in a process of its own: warmed up, then, with
/// garbage collection held off (a no-GC region), the process dumps its heap, makes N calls one after another, and
/// dumps it again. Every object allocated in between is still in the second dump, alive or not, so the difference of
/// the two heaps, per type, over N is what one call allocates. Prints the table and writes <c>results/overhead/census-OF.md</c>.
/// </summary>
internal static class CallCensusCommand
{
    private const string ChildVerb = "census-one";

    /// <summary>The calls a census can count: A.6's pending call, and A.1's call already completed when it returns.</summary>
    private static readonly Dictionary<string, (Type Type, string[] Contenders)> Benchmarks = new()
    {
        ["pending"] = (typeof(PendingCallBenchmarks), ["Bare", "Ours", "OursWithoutLimit", "OursRetryOnly", "OursHedged", "Polly", "OursProduction", "PollyProduction"]),
        ["completed"] = (typeof(InterceptionOverheadBenchmarks), ["Bare", "Ours", "OursWithoutLimit", "OursTelemetryOn", "Polly", "OursProduction", "PollyProduction"]),
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == ChildVerb)
        {
            return await CountOneAsync(Benchmarks[args[1]].Type, args[2], int.Parse(args[3], CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        var calls = 2_000;
        var of = "pending";
        var only = (string[]?)null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--calls":
                    calls = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--only":
                    only = args[i + 1].Split(',');
                    break;
                case "--of" when Benchmarks.ContainsKey(args[i + 1]):
                    of = args[i + 1];
                    break;
                default:
                    await Console.Error.WriteLineAsync($"census: unknown argument {args[i]}").ConfigureAwait(false);
                    return 2;
            }
        }

        var rows = new List<CensusRow>();
        foreach (var name in only ?? Benchmarks[of].Contenders)
        {
            var row = await RunChildAsync(of, name, calls).ConfigureAwait(false);
            if (row is null)
            {
                return 1;
            }

            rows.Add(row);
            Console.WriteLine(row.Line());
        }

        var report = Report(of, rows, calls);
        Console.WriteLine(report);
        var folder = Directory.CreateDirectory(Path.Combine(ResultsFolder.Path, "overhead")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, $"census-{of}.md"), report).ConfigureAwait(false);
        return 0;
    }

    private static async Task<CensusRow?> RunChildAsync(string of, string name, int calls)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(CallCensusCommand).Assembly.Location);
        }

        foreach (var argument in new[] { "census", ChildVerb, of, name, calls.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = await child.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await child.WaitForExitAsync().ConfigureAwait(false);
        if (child.ExitCode != 0)
        {
            await Console.Error.WriteLineAsync($"census: {name} failed ({child.ExitCode}): {output}").ConfigureAwait(false);
            return null;
        }

        return CensusRow.Parse(name, output);
    }

    private static async Task<int> CountOneAsync(Type type, string name, int calls)
    {
        // As BenchmarkDotNet would: the global setup that names this benchmark, else the one that names none.
        var benchmarks = Activator.CreateInstance(type)!;
        var setups = type.GetMethods().Where(m => m.GetCustomAttribute<GlobalSetupAttribute>() is not null).ToList();
        var setup = setups.FirstOrDefault(m => Targets(m.GetCustomAttribute<GlobalSetupAttribute>()!).Contains(name))
            ?? setups.First(m => Targets(m.GetCustomAttribute<GlobalSetupAttribute>()!).Length == 0);
        setup.Invoke(benchmarks, null);
        var benchmark = type.GetMethod(name)!;
        var call = () => benchmark.Invoke(benchmarks, null) is Task pending ? pending : Task.CompletedTask;
        for (var i = 0; i < 5_000; i++)
        {
            await call().ConfigureAwait(false);
        }

        var folder = Directory.CreateTempSubdirectory("census-").FullName;
        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (!GC.TryStartNoGCRegion(200L * 1024 * 1024))
            {
                await Console.Error.WriteLineAsync("census: no no-GC region").ConfigureAwait(false);
                return 3;
            }

            var client = new DiagnosticsClient(Environment.ProcessId);
            var before = Path.Combine(folder, "before.dmp");
            var after = Path.Combine(folder, "after.dmp");
            client.WriteDump(DumpType.WithHeap, before);
            for (var i = 0; i < calls; i++)
            {
                await call().ConfigureAwait(false);
            }

            client.WriteDump(DumpType.WithHeap, after);
            if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
            {
                await Console.Error.WriteLineAsync("census: a collection ran during the calls; fewer calls, or a larger region").ConfigureAwait(false);
                return 4;
            }

            GC.EndNoGCRegion();
            Console.WriteLine(FormattableString.Invariant($"calls\t{calls}"));
            var growth = Difference(Count(before), Count(after));
            foreach (var (grown, (objects, bytes)) in growth.OrderByDescending(g => g.Value.Bytes))
            {
                Console.WriteLine(FormattableString.Invariant($"{grown}\t{objects}\t{bytes}"));
            }

            type.GetMethods().FirstOrDefault(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null)?.Invoke(benchmarks, null);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string[] Targets(GlobalSetupAttribute setup) => setup.Targets ?? [];

    private static Dictionary<string, (long Objects, long Bytes)> Count(string dump)
    {
        using var target = DataTarget.LoadDump(dump);
        using var runtime = target.ClrVersions[0].CreateRuntime();
        var counts = new Dictionary<string, (long Objects, long Bytes)>();
        foreach (var instance in runtime.Heap.EnumerateObjects())
        {
            if (!instance.IsValid || instance.IsFree)
            {
                continue;
            }

            var type = instance.Type?.Name ?? "?";
            counts.TryGetValue(type, out var count);
            counts[type] = (count.Objects + 1, count.Bytes + (long)instance.Size);
        }

        return counts;
    }

    private static Dictionary<string, (long Objects, long Bytes)> Difference(Dictionary<string, (long Objects, long Bytes)> before, Dictionary<string, (long Objects, long Bytes)> after)
    {
        var growth = new Dictionary<string, (long Objects, long Bytes)>();
        foreach (var (type, count) in after)
        {
            before.TryGetValue(type, out var earlier);
            if (count.Objects != earlier.Objects)
            {
                growth[type] = (count.Objects - earlier.Objects, count.Bytes - earlier.Bytes);
            }
        }

        return growth;
    }

    private static string Report(string of, List<CensusRow> rows, int calls)
    {
        var bare = rows.FirstOrDefault(r => r.Name == "Bare");
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Census of a {of} call: the objects it allocates ({calls} calls per contender, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        text.AppendLine();
        text.AppendLine("| Contender | Objects per call | Bytes per call | Objects beyond bare | Bytes beyond bare | Types beyond bare (objects per call) |");
        text.AppendLine("|---|---:|---:|---:|---:|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row.TableLine(bare));
        }

        return text.ToString();
    }
}
