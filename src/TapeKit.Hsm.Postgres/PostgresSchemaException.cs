namespace TapeKit.Hsm.Postgres;

/// <summary>The database schema cannot be used by this build (it is newer, or it is not a TapeKit HSM catalogue).</summary>
public sealed class PostgresSchemaException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, in words.</param>
    public PostgresSchemaException(string message) : base(message)
    {
    }
}
