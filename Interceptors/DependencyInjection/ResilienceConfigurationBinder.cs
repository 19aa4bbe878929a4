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

        var unknown = new List<string>();
        CollectUnknownKeys(part, target.GetType(), unknown);
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"Unknown resilience setting(s): {string.Join(", ", unknown.Select(k => $"'{k}'"))}.");
        }

        ClearListsGivenIn(part, target);
        try
        {
            part.Bind(target, static o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException ex) when (ex.InnerException is InvalidOperationException inner)
        {
            // The binder's outer message is generic; the inner one names the key and the value.
            throw new InvalidOperationException(inner.Message, ex);
        }
    }

    /// <summary>Collects the full path of every key that names no property, looking into nested options objects.</summary>
    private static void CollectUnknownKeys(IConfigurationSection part, Type type, List<string> unknown)
    {
        foreach (var child in part.GetChildren())
        {
            var property = type.GetProperty(
                child.Key,
                System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
            if (property is null)
            {
                unknown.Add(child.Path);
            }
            else if (property.PropertyType.IsClass
                && property.PropertyType != typeof(string)
                && !typeof(IEnumerable).IsAssignableFrom(property.PropertyType))
            {
                CollectUnknownKeys(child, property.PropertyType, unknown);
            }
        }
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
