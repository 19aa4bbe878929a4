using System.Text;
using Grpc.Core;

namespace ResilientGrpc.Client.Calls;

/// <summary>Status names as gRPC and the metrics write them: <c>DEADLINE_EXCEEDED</c>.</summary>
internal static class StatusNames
{
    public static string Of(StatusCode status)
    {
        var name = status.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                text.Append('_');
            }

            text.Append(char.ToUpperInvariant(name[i]));
        }

        return text.ToString();
    }
}
