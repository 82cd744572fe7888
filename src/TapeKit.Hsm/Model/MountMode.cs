namespace TapeKit.Hsm.Model;

/// <summary>What a mount is for (docs/hsm/overview.md#roles): a tape is mounted for reading or for writing, never both in one session.</summary>
public enum MountMode
{
    /// <summary>A recall (stage) session.</summary>
    Read = 0,

    /// <summary>An archive session (labelling included).</summary>
    Write = 1,
}
