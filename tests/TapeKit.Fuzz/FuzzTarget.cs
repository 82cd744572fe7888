namespace TapeKit.Fuzz;

/// <summary>
/// One boundary of TapeKit that reads hostile bytes: <see cref="Execute"/> feeds an input through the API and lets
/// only the exceptions that API documents pass silently. Any other exception escapes — that is a finding, and under
/// afl-fuzz it is a crash. So is an input that makes the library allocate more than <see cref="AllocationLimit"/>.
/// </summary>
public sealed class FuzzTarget
{
    /// <summary>The most an input may make a target allocate (all allocations added up, on the calling thread).</summary>
    /// <remarks>
    /// A length field read from the input must not decide how much memory is taken: inputs are at most a megabyte
    /// (afl-fuzz's bound), and the largest buffer a reader legitimately needs is a drive's largest block (8 MiB) or the
    /// 64 MiB a tar manifest may hold. 256 MiB leaves room for both and still catches a 2 GiB buffer at once.
    /// </remarks>
    public const long AllocationLimit = 256L * 1024 * 1024;

    private readonly Action<byte[]> _run;

    /// <summary>Creates a target.</summary>
    /// <param name="name">The name selected on the command line, also the corpus folder name.</param>
    /// <param name="description">What the target drives, one line.</param>
    /// <param name="run">Feeds one input through the API; calls <see cref="Expect"/> around each stage.</param>
    public FuzzTarget(string name, string description, Action<byte[]> run)
    {
        Name = name;
        Description = description;
        _run = run;
    }

    /// <summary>The name, e.g. <c>label-strict</c>.</summary>
    public string Name { get; }

    /// <summary>What the target drives.</summary>
    public string Description { get; }

    /// <summary>
    /// Runs one input. Returns normally when the library accepted it or refused it with a documented exception;
    /// throws otherwise (the library's own unexpected exception, or <see cref="FuzzFindingException"/>).
    /// </summary>
    /// <param name="input">The input bytes.</param>
    public void Execute(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        long before = GC.GetAllocatedBytesForCurrentThread();
        _run(input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (allocated > AllocationLimit)
        {
            throw new FuzzFindingException($"{Name}: an input of {input.Length} bytes made the library allocate {allocated} bytes (limit {AllocationLimit}): a length field decides the memory taken.");
        }
    }

    /// <summary>
    /// Runs one stage of a target, swallowing the exceptions its API documents (<paramref name="expected"/>); any other
    /// exception propagates. Stages are independent: a later stage runs whatever an earlier one threw.
    /// </summary>
    /// <param name="stage">The API calls.</param>
    /// <param name="expected">The documented exception types of those calls.</param>
    public static void Expect(Action stage, params Type[] expected)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(expected);
        try
        {
            stage();
        }
        catch (Exception e) when (IsAny(e, expected))
        {
            // Documented refusal of a hostile input: what the API promises.
            if (Trace)
            {
                Console.Error.WriteLine($"  refused: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>TAPEKIT_FUZZ_TRACE=1 prints each documented refusal to standard error (for looking at what an input reaches).</summary>
    private static bool Trace { get; } = Environment.GetEnvironmentVariable("TAPEKIT_FUZZ_TRACE") == "1";

    private static bool IsAny(Exception e, Type[] expected)
    {
        foreach (Type t in expected)
        {
            if (t.IsInstanceOfType(e))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A finding that is not an exception of the library: unbounded memory, for one.</summary>
public sealed class FuzzFindingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FuzzFindingException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was found.</param>
    public FuzzFindingException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was found.</param>
    /// <param name="inner">The cause.</param>
    public FuzzFindingException(string message, Exception inner) : base(message, inner)
    {
    }
}
