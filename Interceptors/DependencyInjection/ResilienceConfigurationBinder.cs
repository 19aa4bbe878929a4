using System.Collections;
using Microsoft.Extensions.Configuration;

namespace ResilientGrpc.Interceptors.DependencyInjection;

/// <summary>
/// Binds a <c>Resilience</c> configuration section. A list given in configuration (such as
/// <c>RetryableStatusCodes</c>) replaces the default list instead of adding to it, and an unknown key is an
/// error rather than silently ignored.
/// </summary>
internal static class ResilienceConfigurationBinder
{
    public static void Bind(IConfiguration section, ResilienceOptions options)
    {
        BindPart(section.GetSection("Deadline"), options.Deadline);
        BindPart(section.GetSection("Retry"), options.Retry);
        BindPart(section.GetSection("CircuitBreaker"), options.CircuitBreaker);

        var unknown = section.GetChildren()
            .Select(c => c.Key)
            .Where(k => k is not ("Deadline" or "Retry" or "CircuitBreaker"))
            .ToList();
        if (unknown.Count > 0)
        {
            var path = (section as IConfigurationSection)?.Path ?? "Resilience";
            throw new InvalidOperationException(
                $"Unknown resilience setting(s): {string.Join(", ", unknown.Select(k => $"'{path}:{k}'"))}. Allowed: Deadline, Retry, CircuitBreaker.");
        }
    }

    private static void BindPart(IConfigurationSection part, object? target)
    {
        if (target is null || !part.Exists())
        {
            return;
        }

        ClearListsGivenIn(part, target);
        part.Bind(target, static o => o.ErrorOnUnknownConfiguration = true);
    }

    private static void ClearListsGivenIn(IConfigurationSection part, object target)
    {
        foreach (var property in target.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length == 0
                && property.PropertyType != typeof(string)
                && typeof(IEnumerable).IsAssignableFrom(property.PropertyType)
                && part.GetSection(property.Name).GetChildren().Any()
                && property.GetValue(target) is { } collection)
            {
                collection.GetType().GetMethod("Clear", Type.EmptyTypes)?.Invoke(collection, null);
            }
            else if (property.PropertyType.IsClass
                && property.PropertyType != typeof(string)
                && !typeof(IEnumerable).IsAssignableFrom(property.PropertyType)
                && part.GetSection(property.Name).Exists()
                && property.GetValue(target) is { } nested)
            {
                ClearListsGivenIn(part.GetSection(property.Name), nested);
            }
        }
    }
}
