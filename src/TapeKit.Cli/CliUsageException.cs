namespace TapeKit.Cli;

/// <summary>A command line that parsed but asks for something impossible (exit code 2).</summary>
public sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception with a sentence saying what is wrong with the command line.</summary>
    /// <param name="message">What is wrong, naming the option or argument.</param>
    public CliUsageException(string message)
        : base(message)
    {
    }
}
