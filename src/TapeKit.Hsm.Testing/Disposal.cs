namespace TapeKit.Hsm.Testing;

/// <summary>Disposes what a provider handed the kit, whichever dispose pattern it implements.</summary>
internal static class Disposal
{
    /// <summary>Disposes <paramref name="resource"/> if it is disposable (asynchronously where it can).</summary>
    /// <param name="resource">A bus, a catalogue, or anything else.</param>
    public static async ValueTask DisposeAsync(object? resource)
    {
        switch (resource)
        {
            case IAsyncDisposable a:
                await a.DisposeAsync();
                break;
            case IDisposable d:
                d.Dispose();
                break;
        }
    }
}
