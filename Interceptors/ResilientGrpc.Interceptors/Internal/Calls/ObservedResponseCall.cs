namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// A call whose outcome is the end of its response task: unary and client-streaming. The caller gets the response
/// below as is when it has already succeeded, else a task that reports how it ends and passes it on unchanged; either
/// is marked observed once the caller disposes the call, so a call disposed without being awaited leaves no
/// unobserved fault behind (a caller who awaits still gets the error).
/// </summary>
internal abstract class ObservedResponseCall<TResponse, TObserver>(TObserver observer) : ObservedCall<TObserver>(observer)
    where TObserver : struct, ICallObserver
{
    private Task<TResponse>? response;

    /// <summary>The response task of the call below.</summary>
    protected abstract Task<TResponse> InnerResponse { get; }

    /// <summary>Makes the response task the caller gets; called once, as soon as <see cref="InnerResponse"/> can be read.</summary>
    protected Task<TResponse> ObserveResponse()
    {
        var inner = InnerResponse;
        if (inner.IsCompletedSuccessfully)
        {
            // Reported at once, nothing allocated.
            Complete(error: null);
            response = inner;
        }
        else
        {
            response = ObserveAsync();
        }

        return response;
    }

    /// <summary>
    /// The caller disposed the call: abandons it unless its response already arrived (then it is reported by the
    /// response task), disposes the call below, and marks the response task observed, now or when it fails.
    /// </summary>
    protected void DisposeCall(IDisposable inner)
    {
        if (!InnerResponse.IsCompleted)
        {
            Abandon();
        }

        inner.Dispose();
        TaskFaults.Observe(response!);
    }

    // Reads the response below through the property, not a parameter, so the state machine stays a field smaller.
    private async Task<TResponse> ObserveAsync()
    {
        try
        {
            var result = await InnerResponse.ConfigureAwait(false);
            Complete(error: null);
            return result;
        }
        catch (Exception error)
        {
            Complete(error);
            throw;
        }
    }
}
