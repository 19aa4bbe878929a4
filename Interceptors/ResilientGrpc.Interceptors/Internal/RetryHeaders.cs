using System.Globalization;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ResilientGrpc.Interceptors.Internal;

/// <summary>The metadata keys of gRFC A6, shared by retries and hedges, and how attempts use them.</summary>
internal static class RetryHeaders
{
    /// <summary>Request header on a retried attempt: how many attempts preceded it.</summary>
    public const string PreviousAttempts = "grpc-previous-rpc-attempts";

    /// <summary>Trailer by which the server asks for a given delay (ms) or, when negative, for no retry.</summary>
    public const string Pushback = "grpc-retry-pushback-ms";

    public static Metadata ForAttempt(Metadata? callerHeaders, int previousAttempts)
    {
        var headers = new Metadata();
        if (callerHeaders is not null)
        {
            foreach (var entry in callerHeaders)
            {
                if (!string.Equals(entry.Key, PreviousAttempts, StringComparison.OrdinalIgnoreCase))
                {
                    headers.Add(entry);
                }
            }
        }

        headers.Add(PreviousAttempts, previousAttempts.ToString(CultureInfo.InvariantCulture));
        return headers;
    }

    public static ClientInterceptorContext<TRequest, TResponse> ContextOf<TRequest, TResponse>(
        in ClientInterceptorContext<TRequest, TResponse> context, int attempt)
        where TRequest : class
        where TResponse : class =>
        attempt == 1
            ? context
            : new ClientInterceptorContext<TRequest, TResponse>(
                context.Method, context.Host, context.Options.WithHeaders(ForAttempt(context.Options.Headers, attempt - 1)));

    /// <summary>The pushback trailer's delay: null when absent, negative when negative or malformed (do not retry).</summary>
    public static TimeSpan? PushbackOf(Metadata? trailers)
    {
        if (trailers?.GetValue(Pushback) is not { } value)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(ms)
            : Timeout.InfiniteTimeSpan;
    }
}
