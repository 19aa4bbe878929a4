using System.Globalization;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// Collects every problem in a set of options, each naming its setting, so one message names them all. A scope prefixes
/// the keys, named as code does (<c>DeadlineOptions.MethodTimeouts[key]</c>) or configuration (<c>Resilience:Retry:MaxAttempts</c>).
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

    /// <summary>Validates the options <paramref name="optionsName"/> as code names them, and throws one exception naming every problem.</summary>
    public static void ThrowIfInvalid(string optionsName, Action<OptionsProblems> validate)
    {
        var problems = InCode();
        validate(problems.Scope(optionsName));
        problems.ThrowIfAny(optionsName);
    }

    /// <summary>The scope of the nested setting <paramref name="name"/>: its keys are prefixed with it.</summary>
    public OptionsProblems Scope(string name) => new(problems, KeyOf(name), configuration);

    /// <summary>The scope of one pattern: named by its options type in code (<c>RetryOptions</c>), by its section in configuration.</summary>
    public OptionsProblems Pattern(string section, string optionsType) => Scope(configuration ? section : optionsType);

    /// <summary>Records that <paramref name="name"/> is <paramref name="value"/> and what is allowed, unless <paramref name="isValid"/> holds.</summary>
    public void Check(bool isValid, string name, object? value, string allowed)
    {
        if (!isValid)
        {
            Add(KeyOf(name), value, allowed);
        }
    }

    /// <summary>Records that the set <paramref name="name"/> is <paramref name="values"/> (<c>{a, b}</c>) and what is allowed, unless <paramref name="isValid"/> holds.</summary>
    public void CheckSet<T>(bool isValid, string name, IEnumerable<T>? values, string allowed) =>
        Check(isValid, name, values is null ? null : $"{{{string.Join(", ", values)}}}", allowed);

    /// <summary>Records a problem with the failure statuses <paramref name="codes"/>, unless they are some, and neither OK nor Cancelled.</summary>
    public void CheckFailureStatusCodes(ISet<StatusCode>? codes, string name) => CheckSet(
        codes is { Count: > 0 } && !codes.Contains(StatusCode.OK) && !codes.Contains(StatusCode.Cancelled),
        name,
        codes,
        "it must name at least one status and neither OK nor Cancelled");

    /// <summary>Records a problem with the set of methods <paramref name="methods"/>, unless it is one of full method names or service names.</summary>
    public void CheckMethods(ISet<string>? methods, string name) => CheckSet(
        methods is not null && methods.All(MethodKey.IsValid), name, methods, "it must not be null and its entries must be full method names or service names");

    /// <summary>
    /// Records a problem with the per-method <paramref name="values"/> if null, with each key that is neither a full method
    /// name nor a service name, with each value that is not <paramref name="isValid"/>, and with each key that is not
    /// <paramref name="isKnown"/> (when given, saying it must be <paramref name="known"/>).
    /// </summary>
    public void CheckPerMethod(
        IDictionary<string, TimeSpan>? values, string name, Func<TimeSpan, bool> isValid, string allowed, Func<string, bool>? isKnown = null, string? known = null)
    {
        Check(values is not null, name, null, "it must not be null");
        if (values is null)
        {
            return;
        }

        var entries = Scope(name);
        foreach (var (key, value) in values)
        {
            Check(MethodKey.IsValid(key), name, key, "keys must be full method names or service names");
            entries.CheckEntry(isValid(value), key, value, allowed);
            entries.CheckEntry(isKnown is null || !MethodKey.IsValid(key) || isKnown(key), key, value, $"it must {known}");
        }
    }

    /// <summary>Records a problem with <paramref name="entry"/> of this scope (<c>[key]</c> in code, <c>:key</c> in configuration), unless valid.</summary>
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
