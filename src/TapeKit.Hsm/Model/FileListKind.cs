namespace TapeKit.Hsm.Model;

/// <summary>What a file list asks a migrator to do.</summary>
public enum FileListKind
{
    /// <summary>Package (if aggregating) and write to tape.</summary>
    Archive,
    /// <summary>Read from tape, unpack, verify and publish into the read cache.</summary>
    Stage,
    /// <summary>Delete cache copies.</summary>
    Purge,
}
