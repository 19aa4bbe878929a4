namespace ResilientGrpc.Interceptors.Internal.Calls;

/// <summary>
/// A call whose outcome is the end of its response task (unary, client streaming): the response below as is if it has
/// already succeeded, else a task reporting its end; marked observed when the caller disposes the call.
/// </summary>
internal abstract class ObservedResponseCall<TResponse, TObserver>(TObserver observer) : ObservedCall<TObserver>(observer)
    where TObserver : struct, ICallObserver
{
    private Task<TResponse>? response;

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

    /// <summary>The caller disposed the call: abandons it unless its response arrived, disposes the call below, observes the response.</summary>
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
