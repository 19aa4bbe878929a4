namespace ResilientGrpc.Client.Hosting;

/// <summary>The resilience configuration cannot be used; the message names the setting.</summary>
internal sealed class SettingsException : Exception
{
    public SettingsException()
    {
    }

    public SettingsException(string message)
        : base(message)
    {
    }

    public SettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
