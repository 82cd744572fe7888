namespace TapeKit.Hsm.Tapes;

/// <summary>
/// The drives a migrator or stager may use (spec/hsm.md §1.4): hands out a drive holding the requested cartridge,
/// mounting it when no drive holds it yet. One drive serves one caller at a time; a cartridge left in a drive after
/// its session is reused without a robot move (the spec's <c>DismountDelay</c>).
/// </summary>
public interface ITapeDrivePool
{
    /// <summary>Robot mounts done so far (a reused, already loaded cartridge is not a mount).</summary>
    int Mounts { get; }

    /// <summary>Takes a free drive holding <paramref name="vsn"/>, mounting the cartridge if needed.</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <returns>The mount; dispose it to give the drive back (the cartridge stays loaded).</returns>
    /// <exception cref="TapeMountException">No drive is free, or the cartridge is in a busy drive.</exception>
    TapeMount Acquire(string vsn);

    /// <summary>Unloads every cartridge left in a free drive (its dismount delay is over) and returns them to slots.</summary>
    /// <returns>The cartridges dismounted.</returns>
    IReadOnlyList<string> DismountIdle();
}
