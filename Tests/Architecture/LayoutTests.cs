namespace ResilientGrpc.Tests.Architecture;

/// <summary>
/// The library's layout as docs/architecture.md draws it: folder dependencies point one way, the pattern-neutral telemetry
/// depends on shared infrastructure only, the core package knows nothing of the extensions package or of hosting, and
/// namespaces follow one rule in both packages.
/// </summary>
public sealed class LayoutTests
{
    private static readonly SourceTree Tree = SourceTree.Load();

    [Test]
    public void FolderGraph_HasNoCycle()
    {
        var graph = Tree.FolderGraph();
        var cycles = new List<string>();
        foreach (var start in graph.Keys)
        {
            var path = new Stack<string>();
            Walk(start, start, graph, path, new HashSet<string>(), cycles);
        }

        Assert.That(graph, Has.Count.GreaterThan(5), "the folders were read");
        Assert.That(cycles, Is.Empty, "folder cycles");
    }

    [Test]
    public void Telemetry_DependsOnlyOnSharedInfrastructure()
    {
        var graph = Tree.FolderGraph();

        Assert.That(graph["Telemetry"], Is.SubsetOf(new[] { "Internal", "Internal/Calls" }));
        Assert.That(graph["Internal"], Is.Empty, "Internal depends on nothing of ours");
    }

    [Test]
    public void Projects_EachFolderBelongsToOneProject()
    {
        var core = Tree.FoldersOf(SourceTree.Core);
        var extensions = Tree.FoldersOf(SourceTree.Extensions);

        Assert.That(core, Is.SupersetOf(new[] { "Internal", "Telemetry", "Retry", "Stacking" }), "the core project was read");
        Assert.That(extensions, Is.EquivalentTo(new[] { "Configuration", "DependencyInjection", "OutlierDetection" }), "the extensions project was read");
        Assert.That(core.Intersect(extensions), Is.Empty, "an internal namespace lives in one assembly");
    }

    [Test]
    public void Core_NamesNoFolderOfTheExtensions()
    {
        var graph = Tree.FolderGraph();
        var extensions = Tree.FoldersOf(SourceTree.Extensions);
        var wrong = Tree.FoldersOf(SourceTree.Core)
            .SelectMany(folder => graph[folder].Where(extensions.Contains).Select(used => $"{folder} -> {used}"))
            .ToList();

        Assert.That(wrong, Is.Empty, "the core package depends on nothing of the extensions package");
    }

    [Test]
    public void Core_ImportsNoHostingNamespace()
    {
        string[] hosting = ["Grpc.Net", "Microsoft.Extensions.Options", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Http"];
        var wrong = Tree.Files
            .Where(f => f.Project == SourceTree.Core)
            .SelectMany(f => f.Usings.Where(u => hosting.Any(h => u == h || u.StartsWith(h + ".", StringComparison.Ordinal))).Select(u => $"{f.Path}: using {u}"))
            .ToList();

        Assert.That(wrong, Is.Empty, "the core package needs only Grpc.Core.Api, DiagnosticSource and Logging.Abstractions");
    }

    [Test]
    public void Namespaces_PublicTypesAtTheRoot_InternalTypesByFolder()
    {
        var wrong = Tree.Files
            .Where(f => f.Namespace is not null && f.Namespace.StartsWith("ResilientGrpc.Interceptors", StringComparison.Ordinal))
            .Where(f => f.Namespace != (f.TopLevelTypes.Any(t => t.IsPublic)
                ? "ResilientGrpc.Interceptors"
                : "ResilientGrpc.Interceptors." + f.Folder.Replace('/', '.')))
            .Select(f => $"{f.Path}: {f.Namespace}")
            .ToList();

        Assert.That(Tree.Files, Has.Count.GreaterThan(50), "the files were read");
        Assert.That(wrong, Is.Empty);
    }

    private static void Walk(
        string start, string node, IReadOnlyDictionary<string, SortedSet<string>> graph, Stack<string> path, HashSet<string> seen, List<string> cycles)
    {
        path.Push(node);
        foreach (var next in graph[node])
        {
            if (next == start)
            {
                cycles.Add(string.Join(" -> ", path.Reverse().Append(start)));
            }
            else if (seen.Add(next))
            {
                Walk(start, next, graph, path, seen, cycles);
            }
        }

        path.Pop();
    }
}
