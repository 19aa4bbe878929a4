using System.Globalization;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// Collects every problem found in a set of options, each a sentence that names the setting by its key, so that one
/// message can name all of them. A scope adds a prefix to the keys and writes into the same list. Keys are named as
/// code names them (<c>RetryOptions.Throttling.MaxTokens</c>, <c>DeadlineOptions.MethodTimeouts[key]</c>) or as
/// configuration names them (<c>Resilience:Retry:Throttling:MaxTokens</c>, <c>Resilience:Deadline:MethodTimeouts:key</c>).
/// </summary>
internal sealed class OptionsProblems
{
    private readonly List<string> problems;
    private readonly string prefix;
    private readonly bool configuration;

    private OptionsProblems(List<string> problems, string prefix, bool configuration)
    {
        this.problems = problems;
        this.prefix = prefix;
        this.configuration = configuration;
    }

    /// <summary>Whether no problem has been recorded, in this scope or any other of the same collector.</summary>
    public bool IsEmpty => problems.Count == 0;

    /// <summary>A collector naming keys as code does, starting with the options type (<c>RetryOptions.MaxAttempts</c>).</summary>
    public static OptionsProblems InCode() => new([], string.Empty, configuration: false);

    /// <summary>A collector naming keys by configuration path below <paramref name="path"/> (<c>Resilience:Retry:MaxAttempts</c>).</summary>
    /// <param name="path">The path of the section the options come from; empty for the configuration's root.</param>
    public static OptionsProblems InConfiguration(string path) => new([], path, configuration: true);

    /// <summary>The scope of the nested setting <paramref name="name"/>: its keys are prefixed with it.</summary>
    public OptionsProblems Scope(string name) => new(problems, KeyOf(name), configuration);

    /// <summary>
    /// The scope of one pattern of <see cref="ResilienceOptions"/>: named by its options type in code
    /// (<c>RetryOptions</c>), by its section in configuration (<c>Retry</c>).
    /// </summary>
    public OptionsProblems Pattern(string section, string optionsType) => Scope(configuration ? section : optionsType);

    /// <summary>Records that <paramref name="name"/> is <paramref name="value"/> and what is allowed, unless <paramref name="isValid"/> holds.</summary>
    public void Check(bool isValid, string name, object? value, string allowed)
    {
        if (!isValid)
        {
            Add(KeyOf(name), value, allowed);
        }
    }

    /// <summary>
    /// Records a problem with the entry <paramref name="entry"/> of this scope's dictionary or list
    /// (<c>MethodTimeouts[key]</c> in code, <c>MethodTimeouts:key</c> in configuration), unless <paramref name="isValid"/> holds.
    /// </summary>
    public void CheckEntry(bool isValid, string entry, object? value, string allowed)
    {
        if (!isValid)
        {
            Add(configuration ? KeyOf(entry) : $"{prefix}[{entry}]", value, allowed);
        }
    }

    /// <summary>Records that the key <paramref name="name"/> of this scope is wrong in a way <paramref name="problem"/> says.</summary>
    public void Report(string name, string problem) => problems.Add($"{KeyOf(name)} {problem}.");

    /// <summary>The key of the setting <paramref name="name"/> in this scope, as this collector names keys.</summary>
    public string KeyOf(string name) =>
        prefix.Length == 0 ? name : string.Concat(prefix, configuration ? ":" : ".", name);

    /// <summary>Throws an <see cref="ArgumentException"/> naming every recorded problem, if there is any.</summary>
    /// <param name="optionsName">The options checked, which names the exception's parameter.</param>
    public void ThrowIfAny(string optionsName)
    {
        if (!IsEmpty)
        {
            throw new ArgumentException($"Invalid {optionsName}: {this}", optionsName);
        }
    }

    /// <summary>Every recorded problem, one sentence after the other.</summary>
    public override string ToString() => string.Join(" ", problems);

    private static string Format(object? value) => value switch
    {
        null => "null",
        // Stryker disable once String : TimeSpan formats "" as it formats "c", the constant format.
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        // Stryker disable once String : no value checked (numbers, strings, sets shown as strings) has a ToString that returns null.
        _ => value.ToString() ?? "null",
    };

    private void Add(string key, object? value, string allowed) => problems.Add($"{key} is {Format(value)}; {allowed}.");
}
