namespace ResilientGrpc.Interceptors.Configuration;

/// <summary>Reads one configuration value as a <typeparamref name="T"/>; false when the text is not one.</summary>
internal delegate bool ValueParser<T>(string text, out T value);
