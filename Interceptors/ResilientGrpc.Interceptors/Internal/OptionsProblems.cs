using System.Globalization;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>Collects every problem of a set of options for one message, naming keys as code (<c>RetryOptions.MaxAttempts</c>) or configuration (<c>Resilience:Retry:MaxAttempts</c>) does.</summary>
internal sealed class OptionsProblems(List<string> problems, string prefix, bool configuration)
{
    public bool IsEmpty => problems.Count == 0;

    public static OptionsProblems InCode() => new([], string.Empty, configuration: false);

    /// <summary>A collector naming keys by configuration path below <paramref name="path"/> (empty: the root).</summary>
    public static OptionsProblems InConfiguration(string path) => new([], path, configuration: true);

    public static void ThrowIfInvalid(string optionsName, Action<OptionsProblems> validate)
    {
        var problems = InCode();
        validate(problems.Scope(optionsName));
        problems.ThrowIfAny(optionsName);
    }

    public OptionsProblems Scope(string name) => new(problems, KeyOf(name), configuration);

    /// <summary>The scope of one pattern: named by its options type in code (<c>RetryOptions</c>), by its section in configuration.</summary>
    public OptionsProblems Pattern(string section, string optionsType) => Scope(configuration ? section : optionsType);

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

    public void CheckFailureStatusCodes(ISet<StatusCode>? codes, string name) => CheckSet(
        codes is { Count: > 0 } && !codes.Contains(StatusCode.OK) && !codes.Contains(StatusCode.Cancelled),
        name,
        codes,
        "it must name at least one status and neither OK nor Cancelled");

    public void CheckMethods(ISet<string>? methods, string name) => CheckSet(
        methods is not null && methods.All(MethodKey.IsValid), name, methods, "it must not be null and its entries must be full method names or service names");

    /// <summary>Records a problem with per-method <paramref name="values"/> that are null, or with each bad key, invalid value or unknown key.</summary>
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

    public void Report(string name, string problem) => problems.Add($"{KeyOf(name)} {problem}.");

    public string KeyOf(string name) =>
        prefix.Length == 0 ? name : string.Concat(prefix, configuration ? ":" : ".", name);

    public void ThrowIfAny(string optionsName)
    {
        if (!IsEmpty)
        {
            throw new ArgumentException($"Invalid {optionsName}: {this}", optionsName);
        }
    }

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
