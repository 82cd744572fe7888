namespace TapeKit.Cli;

/// <summary>An input the command reads is invalid: a policy file, a catalogue that is not one (exit code 3).</summary>
public sealed class CliInvalidInputException : Exception
{
    /// <summary>Creates the exception with a sentence naming the file and what is wrong in it.</summary>
    /// <param name="message">What is wrong, naming the file and, where there is one, the rule and field.</param>
    public CliInvalidInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What is wrong, naming the file.</param>
    /// <param name="innerException">The underlying cause.</param>
    public CliInvalidInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
