namespace TapeKit.Simulation;

/// <summary>The ways of writing many user files to tape that the simulation compares (issue #4).</summary>
public enum WriteStrategy
{
    /// <summary>One AUL file per user file, every tape mark synchronous (CASTOR's way).</summary>
    AulSynchronous,

    /// <summary>One AUL file per user file, immediate marks, a synchronising flush every 200 files or 32 GB (CTA's way).</summary>
    AulBuffered,

    /// <summary>ALB files of 1000 user files with a tar payload, immediate marks, a flush every 32 GB.</summary>
    AlbTar,

    /// <summary>ALB files of 1000 user files with an IL payload, immediate marks, a flush every 32 GB.</summary>
    AlbIl,
}
