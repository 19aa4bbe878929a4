using Grpc.Core;
using Microsoft.Extensions.Configuration;
using ResilientGrpc.Interceptors.Internal;

namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>
/// Reads one configuration section key by key: each read names a known key and returns its value, or the current
/// value when the key is absent or unreadable. Every key it cannot use is recorded in <paramref name="problems"/>
/// (scoped to the section): a value that does not parse, a section where a value belongs or the reverse, and, when
/// <see cref="ReportUnknownKeys"/> is called after the reads, each key no read asked for. A list or dictionary given
/// in configuration replaces the current one as a whole.
/// </summary>
internal sealed class ConfigurationReader(IConfiguration section, OptionsProblems problems)
{
    private readonly List<string> known = [];

    /// <summary>Whether the section holds any key.</summary>
    public bool HasKeys => section.GetChildren().Any();

    /// <summary>The reader of the nested section <paramref name="name"/>.</summary>
    public ConfigurationReader Section(string name)
    {
        var child = Known(name);
        problems.Check(string.IsNullOrEmpty(child.Value), name, child.Value, "it must be a section of settings, not a value");
        return new ConfigurationReader(child, problems.Scope(name));
    }

    public int Int(string name, int current) => Value(name, current, ConfigurationValues.TryInt, ConfigurationValues.WholeNumber);

    public int? NullableInt(string name, int? current) =>
        Value(name, current, ConfigurationValues.OrNull<int>(ConfigurationValues.TryInt), ConfigurationValues.WholeNumber + ConfigurationValues.OrEmpty);

    public double Double(string name, double current) => Value(name, current, ConfigurationValues.TryDouble, ConfigurationValues.Number);

    public double? NullableDouble(string name, double? current) =>
        Value(name, current, ConfigurationValues.OrNull<double>(ConfigurationValues.TryDouble), ConfigurationValues.Number + ConfigurationValues.OrEmpty);

    public bool Boolean(string name, bool current) => Value(name, current, ConfigurationValues.TryBoolean, ConfigurationValues.Boolean);

    public string Text(string name, string current) => Value(name, current, ConfigurationValues.TryText, string.Empty);

    public TimeSpan Duration(string name, TimeSpan current) => Value(name, current, ConfigurationValues.TryDuration, ConfigurationValues.Duration);

    /// <summary>A value of <typeparamref name="TEnum"/> by name (<c>Gradient</c>), in any case.</summary>
    public TEnum Name<TEnum>(string name, TEnum current)
        where TEnum : struct, Enum =>
        Value(name, current, ConfigurationValues.TryName, $"it must be one of {string.Join(", ", Enum.GetNames<TEnum>())}");

    /// <summary>A set of status codes, given as <c>name:0</c>, <c>name:1</c>, ...; replaces <paramref name="current"/> when given.</summary>
    public ISet<StatusCode> StatusCodes(string name, ISet<StatusCode> current) =>
        Entries<StatusCode>(name, ConfigurationValues.TryStatusCode, ConfigurationValues.StatusCode, "0") is { } entries
            ? entries.Select(e => e.Value).ToHashSet()
            : current;

    /// <summary>A set of method or service names, given as <c>name:0</c>, <c>name:1</c>, ...; replaces <paramref name="current"/> when given.</summary>
    public ISet<string> Names(string name, ISet<string> current) =>
        Entries<string>(name, ConfigurationValues.TryText, string.Empty, "0") is { } entries
            ? entries.Select(e => e.Value).ToHashSet(StringComparer.Ordinal)
            : current;

    /// <summary>Durations by method or service name, given as <c>name:key</c>; replaces <paramref name="current"/> when given.</summary>
    public IDictionary<string, TimeSpan> Durations(string name, IDictionary<string, TimeSpan> current) =>
        Entries<TimeSpan>(name, ConfigurationValues.TryDuration, ConfigurationValues.Duration, "/package.Service/Method") is { } entries
            ? entries.ToDictionary(StringComparer.Ordinal)
            : current;

    /// <summary>Records every key of the section that no read of this reader asked for.</summary>
    public void ReportUnknownKeys()
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Report(child.Key, $"is not a setting; the settings here are {string.Join(", ", known)}");
            }
        }
    }

    private IConfigurationSection Known(string name)
    {
        known.Add(name);
        return section.GetSection(name);
    }

    private T Value<T>(string name, T current, ValueParser<T> parse, string expected)
    {
        var child = Known(name);
        if (child.Value is { } text)
        {
            if (parse(text, out var value))
            {
                return value;
            }

            problems.Check(false, name, text, expected);
        }
        else if (child.GetChildren().Any())
        {
            problems.Report(name, "is a section; it must be a single value");
        }

        return current;
    }

    /// <summary>The entries of a list or dictionary, or null when none is given or one cannot be read (the current value then stays).</summary>
    private List<KeyValuePair<string, T>>? Entries<T>(string name, ValueParser<T> parse, string expected, string exampleKey)
    {
        var child = Known(name);
        var entries = child.GetChildren().ToList();
        if (entries.Count == 0)
        {
            problems.Check(string.IsNullOrEmpty(child.Value), name, child.Value, $"it must be given entry by entry, as {name}:{exampleKey}");
            return null;
        }

        var read = new List<KeyValuePair<string, T>>(entries.Count);
        var scope = problems.Scope(name);
        foreach (var entry in entries)
        {
            if (entry.Value is { } text && parse(text, out var value))
            {
                read.Add(new(entry.Key, value));
            }
            else
            {
                scope.CheckEntry(false, entry.Key, entry.Value, entry.Value is null ? "it must be a single value" : expected);
            }
        }

        return read.Count == entries.Count ? read : null;
    }
}
