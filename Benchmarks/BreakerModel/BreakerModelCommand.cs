using System.Globalization;
using System.Text;

namespace ResilientGrpc.Benchmarks.BreakerModel;

/// <summary>
/// <c>breaker-model</c>: the candidate opening rules of the partial-failure design, measured on a traffic model at
/// the library's default policy. Reports false openings per hour under partial failure (no opening is wanted) and,
/// under a full outage, the attempts that reach the dead server and the time until the rule opens. Writes
/// <c>results/breaker-model.md</c>.
/// </summary>
internal static class BreakerModelCommand
{
    private static readonly (string Name, double Errors, double Hangs)[] Profiles =
    [
        ("25 % UNAVAILABLE", 0.25, 0),
        ("20 % UNAVAILABLE + 10 % hang", 0.20, 0.10),
        ("30 % UNAVAILABLE", 0.30, 0),
    ];

    public static int Run(string[] args)
    {
        var hours = args.Length > 1 && args[0] == "--hours" ? double.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        var names = Rules.All().Select(r => r.Name).ToArray();
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Breaker opening rules on modelled traffic, {hours} h per profile and rate, default policy (2 s deadline, 3 attempts, 1 s → 2 s backoff ±20 %).")
            .AppendLine()
            .AppendLine("False openings per hour under partial failure (every opening here refuses calls that retries would have saved):")
            .AppendLine()
            .Append("| rule |");
        var columns = new List<(string Profile, double Rate)>();
        foreach (var (profile, _, _) in Profiles)
        {
            foreach (var rate in new[] { 10.0, 50.0 })
            {
                columns.Add((profile, rate));
                text.Append(CultureInfo.InvariantCulture, $" {profile}, {rate} calls/s |");
            }
        }

        text.AppendLine().Append("|---|").AppendLine(string.Concat(columns.Select(_ => "---:|")));
        var openings = new double[names.Length, columns.Count];
        for (var c = 0; c < columns.Count; c++)
        {
            var (profile, rate) = columns[c];
            var (_, errors, hangs) = Profiles.Single(p => p.Name == profile);
            var (counts, _, _) = new TrafficModel(rate, errors, hangs, seed: 42 + c).Run(Rules.All(), hours * 3600);
            for (var r = 0; r < names.Length; r++)
            {
                openings[r, c] = counts[r] / hours;
            }
        }

        for (var r = 0; r < names.Length; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {names[r]} |");
            for (var c = 0; c < columns.Count; c++)
            {
                text.Append(CultureInfo.InvariantCulture, $" {openings[r, c]:0.##} |");
            }

            text.AppendLine();
        }

        text.AppendLine()
            .AppendLine("Full outage from t = 0 (median of 101 seeded runs): attempts that reached the dead server, and seconds, until the rule opened:")
            .AppendLine()
            .AppendLine("| rule | 1 call/s | 10 calls/s | 50 calls/s |")
            .AppendLine("|---|---:|---:|---:|");
        var rates = new[] { 1.0, 10.0, 50.0 };
        var outage = rates.Select(rate => Enumerable.Range(0, 101)
            .Select(seed => new TrafficModel(rate, 1, 0, seed).Outage(Rules.All(), 120))
            .ToArray()).ToArray();
        for (var r = 0; r < names.Length; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {names[r]} |");
            foreach (var runs in outage)
            {
                var attempts = runs.Select(run => run[r].Attempts).Order().ToArray()[50];
                var seconds = runs.Select(run => run[r].Seconds).Order().ToArray()[50];
                text.Append(attempts < 0 ? " never |" : string.Create(CultureInfo.InvariantCulture, $" {attempts} in {seconds:0.00} s |"));
            }

            text.AppendLine();
        }

        Console.Write(text);
        File.WriteAllText(Path.Combine(ResultsFolder.Path, "breaker-model.md"), text.ToString());
        return 0;
    }
}
