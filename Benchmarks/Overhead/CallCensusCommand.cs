using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Text;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Runtime;
using ResilientGrpc.Protos;

namespace ResilientGrpc.Benchmarks.Overhead;

/// <summary>
/// <c>census [--calls N] [--only NAMES]</c>: the objects a pending call allocates, counted, not estimated (A.6 gives
/// bytes). Each contender of <see cref="PendingCallBenchmarks"/> runs in a process of its own: warmed up, then, with
/// garbage collection held off (a no-GC region), the process dumps its heap, makes N calls one after another, and
/// dumps it again. Every object allocated in between is still in the second dump, alive or not, so the difference of
/// the two heaps, per type, over N is what one call allocates. Prints the table and writes <c>results/overhead/census.md</c>.
/// </summary>
internal static class CallCensusCommand
{
    private const string ChildVerb = "census-one";
    private static readonly string[] Contenders = ["Bare", "Ours", "OursRetryOnly", "OursHedged", "Polly", "OursProduction", "PollyProduction"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == ChildVerb)
        {
            return await CountOneAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }

        var calls = 2_000;
        var only = Contenders;
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
                default:
                    await Console.Error.WriteLineAsync($"census: unknown argument {args[i]}").ConfigureAwait(false);
                    return 2;
            }
        }

        var rows = new List<CensusRow>();
        foreach (var name in only)
        {
            var row = await RunChildAsync(name, calls).ConfigureAwait(false);
            if (row is null)
            {
                return 1;
            }

            rows.Add(row);
            Console.WriteLine(row.Line());
        }

        var report = Report(rows, calls);
        Console.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(ResultsFolder.Path, "overhead")).FullName, "census.md"), report).ConfigureAwait(false);
        return 0;
    }

    private static async Task<CensusRow?> RunChildAsync(string name, int calls)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(CallCensusCommand).Assembly.Location);
        }

        foreach (var argument in new[] { "census", ChildVerb, name, calls.ToString(CultureInfo.InvariantCulture) })
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

    private static async Task<int> CountOneAsync(string name, int calls)
    {
        var benchmarks = new PendingCallBenchmarks();
        if (name.EndsWith("Production", StringComparison.Ordinal))
        {
            benchmarks.SetupProduction();
        }
        else
        {
            benchmarks.Setup();
        }

        var call = (Func<Task<ProcessReply>>)Delegate.CreateDelegate(typeof(Func<Task<ProcessReply>>), benchmarks, name);
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
            foreach (var (type, (objects, bytes)) in growth.OrderByDescending(g => g.Value.Bytes))
            {
                Console.WriteLine(FormattableString.Invariant($"{type}\t{objects}\t{bytes}"));
            }

            benchmarks.Cleanup();
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

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

    private static string Report(List<CensusRow> rows, int calls)
    {
        var bare = rows.FirstOrDefault(r => r.Name == "Bare");
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# A.6 census: objects a pending call allocates ({calls} calls per contender, {DateTime.UtcNow:yyyy-MM-dd})");
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
