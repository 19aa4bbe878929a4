using System.Text.RegularExpressions;

namespace ResilientGrpc.Tests.Architecture;

/// <summary>
/// One source file of the library: its project, its folder within the project, namespace, top-level types, the
/// namespaces it imports and its code without comments or strings.
/// </summary>
internal sealed partial record SourceFile(string Path, string Project, string Folder, string? Namespace, IReadOnlyList<(string Name, bool IsPublic)> TopLevelTypes, string Code)
{
    /// <summary>Every type the file declares, nested ones included.</summary>
    public IEnumerable<string> DeclaredTypes => Declaration().Matches(Code).Select(m => m.Groups["name"].Value);

    /// <summary>The namespaces the file's <c>using</c> directives name.</summary>
    public IEnumerable<string> Usings => UsingDirective().Matches(Code).Select(m => m.Groups["name"].Value);

    public static SourceFile Read(string root, string project, string path)
    {
        var text = File.ReadAllText(path);
        var code = Strings().Replace(BlockComments().Replace(LineComments().Replace(text, string.Empty), string.Empty), "\"\"");
        var folder = System.IO.Path.GetRelativePath(System.IO.Path.Combine(root, project), System.IO.Path.GetDirectoryName(path)!).Replace('\\', '/');
        var ns = NamespaceDeclaration().Match(code) is { Success: true } m ? m.Groups["name"].Value : null;
        var types = TopLevel().Matches(code).Select(t => (t.Groups["name"].Value, t.Groups["access"].Value == "public")).ToList();
        return new SourceFile(System.IO.Path.GetRelativePath(root, path).Replace('\\', '/'), project, folder, ns, types, code);
    }

    [GeneratedRegex(@"//.*")]
    private static partial Regex LineComments();

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComments();

    [GeneratedRegex(@"""(?:\\.|[^""\\])*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^using\s+(?:static\s+)?(?<name>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^(?<access>public|internal)\s+(?:(?:sealed|static|abstract|readonly|partial|ref|record)\s+)*(?:class|struct|interface|enum|record)\s+(?<name>\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevel();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+(?:struct\s+|class\s+)?(?<name>\w+)")]
    private static partial Regex Declaration();
}
