namespace TapeKit.Hsm.Sqlite;

/// <summary>The database file has a schema this build cannot use (newer than it, or not a TapeKit HSM store).</summary>
public sealed class SqliteSchemaException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, in words.</param>
    public SqliteSchemaException(string message) : base(message)
    {
    }
}
