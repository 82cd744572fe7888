using Chelonia.Hosting;

namespace Chelonia.Demo;

/// <summary>The demo's settings.</summary>
public sealed record DemoOptions
{
    /// <summary>Files to upload.</summary>
    public int Files { get; init; } = 2000;

    /// <summary>Shepherds to start (at least 4: one is killed and every file needs 3).</summary>
    public int Shepherds { get; init; } = 4;

    /// <summary>Replicas every file needs.</summary>
    public int NeededReplicas { get; init; } = 3;

    /// <summary>The seed of sizes, contents, the victim and the corruptions.</summary>
    public int Seed { get; init; } = 12;

    /// <summary>The working directory; a new temporary one when <see langword="null"/>.</summary>
    public string? Root { get; init; }

    /// <summary>Keep the working directory (stores, catalogue, logs) afterwards.</summary>
    public bool Keep { get; init; }

    /// <summary>The services' timings.</summary>
    public ChelTimings Timings { get; init; } = new();

    /// <summary>Concurrent client requests.</summary>
    public int Parallelism { get; init; } = 8;

    /// <summary>The least file size.</summary>
    public int MinSize { get; init; } = 1024;

    /// <summary>The greatest file size.</summary>
    public int MaxSize { get; init; } = 256 * 1024;
}

/// <summary>The demo could not go on: a child did not start, or a wait ran out; the message says which and why.</summary>
public sealed class DemoException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What did not happen.</param>
    public DemoException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public DemoException()
        : base("The demo failed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What did not happen.</param>
    /// <param name="inner">The cause.</param>
    public DemoException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
