namespace TapeKit.Hsm.Staging;

/// <summary>The steps of a recall a stager reports to <see cref="Stager.StepObserver"/> (tests crash it there).</summary>
public enum StageStep
{
    /// <summary>C5 committed: the files are <c>STAGING</c>, claimed by a stage list or an in-process session.</summary>
    Claimed,
    /// <summary>C6 committed for a batch: its copies are verified in the stage area and <c>STAGED</c>, not yet renamed into the read cache.</summary>
    Extracted,
    /// <summary>C7 committed for a batch: its files are <c>CACHED</c>.</summary>
    Published,
}
