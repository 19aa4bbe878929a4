using System.Diagnostics;

namespace ResilientGrpc.Tests.Tracing;

/// <summary>Reading spans and their events in assertions.</summary>
internal static class Spans
{
    /// <summary>The events of <paramref name="span"/> named <paramref name="name"/>, in order.</summary>
    public static IReadOnlyList<ActivityEvent> Events(this Activity span, string name) => [.. span.Events.Where(e => e.Name == name)];

    /// <summary>The tag <paramref name="key"/> of <paramref name="activityEvent"/>, or null.</summary>
    public static object? Tag(this ActivityEvent activityEvent, string key) =>
        activityEvent.Tags.FirstOrDefault(t => t.Key == key).Value;

    /// <summary>The events of <paramref name="span"/>, one line each: name and tags.</summary>
    public static string Describe(this Activity span) =>
        string.Join(Environment.NewLine, new[]
        {
            $"{span.DisplayName} kind={span.Kind} status={span.Status} \"{span.StatusDescription}\" duration={span.Duration.TotalMilliseconds:F1} ms",
            "  tags: " + string.Join(", ", span.TagObjects.Select(t => $"{t.Key}={t.Value}")),
        }.Concat(span.Events.Select(e => $"  event {e.Name}: " + string.Join(", ", e.Tags.Select(t => $"{t.Key}={t.Value}")))));
}
