using System.Text.RegularExpressions;

namespace ResilientGrpc.Tests.Architecture;

/// <summary>
/// The library's source files as text, grouped by folder: which types each folder declares and which folders each
/// folder's code names. Comments and string literals are left out, so a doc reference is no dependency. The library
/// is two projects under <c>Interceptors/</c>, the core package and its extensions; a folder is named relative to its
/// project (<c>Retry</c>, <c>DependencyInjection</c>), as its namespace is.
/// </summary>
internal sealed partial class SourceTree
{
    /// <summary>The core package's project folder: the interceptors, for any channel.</summary>
    public const string Core = "ResilientGrpc.Interceptors";

    /// <summary>The second package's project folder: client-factory registration and configuration binding.</summary>
    public const string Extensions = "ResilientGrpc.Interceptors.Extensions";

    private SourceTree(string root, IReadOnlyList<SourceFile> files)
    {
        Root = root;
        Files = files;
    }

    /// <summary>The library folder (<c>Interceptors/</c>).</summary>
    public string Root { get; }

    public IReadOnlyList<SourceFile> Files { get; }

    /// <summary>Reads both library projects from the checkout the tests were built in.</summary>
    public static SourceTree Load()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ResilientGrpc.slnx")))
        {
            directory = directory.Parent;
        }

        var root = Path.Combine(directory?.FullName ?? throw new InvalidOperationException("ResilientGrpc.slnx not found above the test output."), "Interceptors");
        var files = new[] { Core, Extensions }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, project), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Select(f => SourceFile.Read(root, project, f)))
            .ToList();
        return new SourceTree(root, files);
    }

    /// <summary>The folders of <paramref name="project"/>.</summary>
    public IReadOnlySet<string> FoldersOf(string project) =>
        Files.Where(f => f.Project == project).Select(f => f.Folder).ToHashSet(StringComparer.Ordinal);

    /// <summary>For each folder, the other folders whose types its code names.</summary>
    public IReadOnlyDictionary<string, SortedSet<string>> FolderGraph()
    {
        var declaredIn = new Dictionary<string, HashSet<string>>();
        foreach (var file in Files)
        {
            foreach (var type in file.DeclaredTypes)
            {
                (declaredIn.TryGetValue(type, out var folders) ? folders : declaredIn[type] = []).Add(file.Folder);
            }
        }

        var graph = Files.Select(f => f.Folder).Distinct().ToDictionary(f => f, _ => new SortedSet<string>(StringComparer.Ordinal));
        foreach (var file in Files)
        {
            foreach (var name in Identifier().Matches(file.Code).Select(m => m.Value).Distinct())
            {
                foreach (var folder in declaredIn.GetValueOrDefault(name) ?? [])
                {
                    if (folder != file.Folder)
                    {
                        graph[file.Folder].Add(folder);
                    }
                }
            }
        }

        return graph;
    }

    [GeneratedRegex(@"\b[A-Z]\w*")]
    private static partial Regex Identifier();
}
