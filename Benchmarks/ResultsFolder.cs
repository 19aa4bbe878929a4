using BenchmarkDotNet.Reports;

namespace ResilientGrpc.Benchmarks;

/// <summary><c>Benchmarks/results/</c>, found from the build output, whatever the working directory.</summary>
internal static class ResultsFolder
{
    public static string Path { get; } = Find();

    /// <summary>Copies BenchmarkDotNet's GitHub-markdown reports of <paramref name="summaries"/> into <c>results/overhead/</c>.</summary>
    public static void CopyReports(IEnumerable<Summary> summaries)
    {
        var target = Directory.CreateDirectory(System.IO.Path.Combine(Path, "overhead")).FullName;
        foreach (var summary in summaries)
        {
            if (!Directory.Exists(summary.ResultsDirectoryPath))
            {
                continue;
            }

            // Only this run's reports: the artifacts folder keeps those of earlier runs too.
            var types = summary.BenchmarksCases.Select(c => c.Descriptor.Type.FullName).Distinct();
            foreach (var report in types.Select(t => System.IO.Path.Combine(summary.ResultsDirectoryPath, t + "-report-github.md")).Where(File.Exists))
            {
                File.Copy(report, System.IO.Path.Combine(target, System.IO.Path.GetFileName(report)), overwrite: true);
            }
        }
    }

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ResilientGrpc.Benchmarks.csproj")))
            {
                return Directory.CreateDirectory(System.IO.Path.Combine(dir.FullName, "results")).FullName;
            }
        }

        return Directory.CreateDirectory(System.IO.Path.Combine(Environment.CurrentDirectory, "results")).FullName;
    }
}
