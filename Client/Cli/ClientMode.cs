namespace ResilientGrpc.Client.Cli;

/// <summary>What the client does.</summary>
internal enum ClientMode
{
    /// <summary>Hosts the chaos service in-process and runs the narrated scenario, then prints a summary.</summary>
    Demo,

    /// <summary>Sends steady load to an external server until the duration ends or the process is stopped.</summary>
    Continuous,

    /// <summary>Hosts several chaos replicas in-process and runs the same load with and without outlier ejection.</summary>
    Fleet,

    /// <summary>Hosts a chaos server of fixed capacity in-process and offers it twice that, without and then with the library.</summary>
    Overload,
}
