using System.Globalization;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>
/// Collects every problem found in an options object so that one exception names all of them,
/// each with the setting, its value and what is allowed.
/// </summary>
internal sealed class OptionsValidation(string optionsName)
{
    private List<string>? errors;

    /// <summary>The problems found so far, each a full sentence.</summary>
    public IReadOnlyList<string> Errors => errors ?? (IReadOnlyList<string>)[];

    /// <summary>Records a problem with <paramref name="property"/> unless <paramref name="isValid"/> holds.</summary>
    public void Check(bool isValid, string property, object? value, string allowed)
    {
        if (!isValid)
        {
            (errors ??= []).Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{optionsName}.{property} is {Format(value)}; {allowed}."));
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> listing every recorded problem, if there is any.</summary>
    public void ThrowIfInvalid()
    {
        if (errors is { Count: > 0 })
        {
            throw new ArgumentException(
                $"Invalid {optionsName}: {string.Join(" ", errors)}",
                optionsName);
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
