namespace TapeKit.Cli;

/// <summary>Maps exceptions to the exit codes and one-line messages of the <c>tapekit</c> contract.</summary>
public static class CliErrors
{
    /// <summary>The exit code for an exception, by the CLI contract (docs/cli.md).</summary>
    /// <param name="exception">What went wrong.</param>
    /// <returns>The exit code.</returns>
    public static int ExitCodeFor(Exception exception) => exception switch
    {
        // HSM exceptions that were an ArgumentException and an IOException before the family keep their exit codes.
        CliUsageException or ArgumentException or TapeKit.Hsm.Policies.PolicyValidationException => ExitCodes.Usage,
        TapeFormatException or CliInvalidInputException or TapeKit.Hsm.Sqlite.SqliteSchemaException or TapeKit.Hsm.Policies.PolicyFileException => ExitCodes.InvalidInput,
        TapeKit.Hsm.Catalog.CatalogStoreException { Kind: TapeKit.Hsm.Catalog.CatalogStoreErrorKind.Corrupt } => ExitCodes.InvalidInput,
        // Busy, unavailable, I/O: the file, the disk or the server, not the data.
        TapeKit.Hsm.Catalog.CatalogStoreException => ExitCodes.DeviceOrIo,
        UnsafeOperationException => ExitCodes.Refused,
        Devices.TapeDriveException { Kind: Devices.TapeErrorKind.WriteProtected } => ExitCodes.Refused,
        Devices.TapeDriveException => ExitCodes.DeviceOrIo,
        UnauthorizedAccessException or IOException or TapeKit.Hsm.Tapes.TapeMountException => ExitCodes.DeviceOrIo,
        _ => ExitCodes.InternalError,
    };

    /// <summary>Writes one line for the exception (and its stack trace when verbose) and returns its exit code.</summary>
    /// <param name="exception">What went wrong.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="verbose">Whether to add the stack trace.</param>
    /// <returns>The exit code.</returns>
    public static int Report(Exception exception, TextWriter error, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(error);
        int code = ExitCodeFor(exception);
        string prefix = code == ExitCodes.InternalError ? "tapekit: internal error: " : "tapekit: ";
        error.WriteLine(prefix + OneLine(MessageOf(exception)));
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }

        return code;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private static string MessageOf(Exception exception)
    {
        string message = exception.Message;
        if (exception is ArgumentException { ParamName: { } name })
        {
            string suffix = $" (Parameter '{name}')";
            if (message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }
}
