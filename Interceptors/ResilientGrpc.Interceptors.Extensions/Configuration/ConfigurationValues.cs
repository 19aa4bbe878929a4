using System.Globalization;
using Grpc.Core;

namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>The parsers of configuration values, culture-invariant, each with what it accepts in words.</summary>
internal static class ConfigurationValues
{
    public const string WholeNumber = "it must be a whole number";
    public const string Number = "it must be a number such as 0.5";
    public const string Duration = "it must be a duration such as 00:00:02";
    public const string Boolean = "it must be true or false";
    public const string StatusCode = "it must be a gRPC status code such as Unavailable";
    public const string OrEmpty = ", or empty for none";

    public static bool TryInt(string text, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    public static bool TryDouble(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out value);

    public static bool TryDuration(string text, out TimeSpan value) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);

    public static bool TryBoolean(string text, out bool value) => bool.TryParse(text, out value);

    public static bool TryText(string text, out string value)
    {
        value = text;
        return true;
    }

    /// <summary>A status code by name, in any case, or by number; one code, not a combination.</summary>
    public static bool TryStatusCode(string text, out StatusCode value)
    {
        value = default;
        return !text.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse(text, ignoreCase: true, out value)
            && Enum.IsDefined(value);
    }

    /// <summary>A value of <typeparamref name="TEnum"/> by name, in any case; not a number, not a combination.</summary>
    public static bool TryName<TEnum>(string text, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        return text.Length > 0 && !char.IsAsciiDigit(text[0]) && text[0] != '-' && !text.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value);
    }

    /// <summary><paramref name="parse"/>, except that an empty value reads as null.</summary>
    public static ValueParser<T?> OrNull<T>(ValueParser<T> parse)
        where T : struct =>
        (string text, out T? value) =>
        {
            value = null;
            if (text.Length == 0)
            {
                return true;
            }

            var parsed = parse(text, out var read);
            value = parsed ? read : null;
            return parsed;
        };
}
