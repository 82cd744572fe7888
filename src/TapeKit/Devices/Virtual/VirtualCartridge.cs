using System.Globalization;
using System.Text;
using TapeKit.Devices.Virtual.Format;

namespace TapeKit.Devices.Virtual;

/// <summary>What a cartridge header says (docs/devices/virtual-cartridge.md#the-cartridge-description-header-bytes-04095) and what its current commit covers (docs/devices/virtual-cartridge.md#commit-slots-header-bytes-4096-and-8192).</summary>
/// <param name="Vsn">The volume serial / barcode.</param>
/// <param name="MediaProfile">The media profile name.</param>
/// <param name="DensityCode">The density code.</param>
/// <param name="Capacity">The physical end of medium in bytes.</param>
/// <param name="EarlyWarningDistance">Bytes between early warning and the physical end.</param>
/// <param name="FilemarkFootprint">Tape bytes per filemark.</param>
/// <param name="WriteProtected">The write-protect tab.</param>
/// <param name="Synthetic">Payloads are not stored (docs/devices/virtual-cartridge.md#synthetic-cartridges).</param>
/// <param name="SyntheticSeed">The payload generator seed.</param>
/// <param name="FormatVersion">The format version, e.g. <c>1.0</c>.</param>
/// <param name="CommitSequence">The current commit's sequence number.</param>
/// <param name="ObjectCount">Committed objects (end of data).</param>
/// <param name="DataLength">Committed payload bytes.</param>
/// <param name="TapeLength">Tape bytes used by the committed objects.</param>
/// <param name="FilemarkCount">Committed filemarks.</param>
public sealed record VirtualCartridgeInfo(
    string Vsn,
    string MediaProfile,
    byte DensityCode,
    ulong Capacity,
    ulong EarlyWarningDistance,
    uint FilemarkFootprint,
    bool WriteProtected,
    bool Synthetic,
    ulong SyntheticSeed,
    string FormatVersion,
    ulong CommitSequence,
    long ObjectCount,
    long DataLength,
    long TapeLength,
    long FilemarkCount);

/// <summary>Options for a new virtual cartridge (docs/devices/virtual-cartridge.md#the-cartridge-description-header-bytes-04095 defaults apply to what is left unset).</summary>
public sealed record VirtualCartridgeOptions
{
    /// <summary>The capacity in bytes; the profile's native capacity when <see langword="null"/>.</summary>
    public long? Capacity { get; init; }

    /// <summary>The early-warning distance; max(capacity / 1000, 2 MiB) when <see langword="null"/>.</summary>
    public long? EarlyWarningDistance { get; init; }

    /// <summary>Tape bytes one filemark consumes (default 0).</summary>
    public uint FilemarkFootprint { get; init; }

    /// <summary>Set the write-protect tab.</summary>
    public bool WriteProtected { get; init; }

    /// <summary>A synthetic cartridge (docs/devices/virtual-cartridge.md#synthetic-cartridges): payload bytes are discarded and generated on read from this seed.</summary>
    public ulong? SyntheticSeed { get; init; }
}

/// <summary>
/// Virtual cartridge directories (<c>&lt;VSN&gt;.tkvt</c>) in TapeKit's versioned, crash-safe format
/// (docs/devices/virtual-cartridge.md): create, inspect, verify, dump and write-protect them.
/// </summary>
public static class VirtualCartridge
{
    /// <summary>Creates a blank cartridge.</summary>
    /// <param name="directory">The new directory (must not exist or be empty).</param>
    /// <param name="vsn">The barcode, <c>[A-Z0-9]{1,16}</c>.</param>
    /// <param name="profile">The media profile.</param>
    /// <param name="options">Capacity, early warning, footprint, tab, synthetic payloads.</param>
    public static void Create(string directory, string vsn, MediaProfile profile, VirtualCartridgeOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(vsn);
        ArgumentNullException.ThrowIfNull(profile);
        options ??= new VirtualCartridgeOptions();
        long capacity = options.Capacity ?? profile.Capacity;
        if (capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), capacity, "The capacity must be positive.");
        }

        ulong ew = options.EarlyWarningDistance is long e ? (ulong)e : CartridgeHeader.DefaultEarlyWarningDistance((ulong)capacity);
        if (ew > (ulong)capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(options), ew, "The early-warning distance cannot exceed the capacity.");
        }

        CartridgeStore.Create(directory, new CartridgeHeader(
            CartridgeHeader.CurrentMinorVersion,
            options.WriteProtected,
            options.SyntheticSeed.HasValue,
            vsn,
            profile.Name,
            profile.DensityCode,
            options.FilemarkFootprint,
            (ulong)capacity,
            ew,
            options.SyntheticSeed ?? 0));
    }

    /// <summary>Reads the header and current commit of a cartridge without loading it.</summary>
    /// <param name="directory">The cartridge directory.</param>
    /// <returns>The description.</returns>
    /// <exception cref="TapeFormatException">The header is damaged.</exception>
    public static VirtualCartridgeInfo ReadInfo(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        byte[] file = File.ReadAllBytes(Path.Combine(directory, CartridgeStore.HeaderFile));
        var h = CartridgeHeader.Parse(file);
        if (file.Length < CartridgeHeader.HeaderFileLength)
        {
            throw new TapeFormatException($"Cartridge {directory}: the header file has {file.Length} bytes, not 12288.", "cartridge header", null, file.Length, 0, "");
        }

        var a = CommitRecord.TryParse(file.AsSpan(4096, CommitRecord.Length));
        var b = CommitRecord.TryParse(file.AsSpan(8192, CommitRecord.Length));
        CommitRecord c = a is { } x && (b is not { } y0 || x.Sequence > y0.Sequence) ? x
            : b ?? throw new TapeFormatException($"Cartridge {directory} is damaged: neither commit slot is valid.", "cartridge header", "commit", 4096, 8192, "");
        return new VirtualCartridgeInfo(h.Vsn, h.MediaProfile, h.DensityCode, h.Capacity, h.EarlyWarningDistance, h.FilemarkFootprint, h.WriteProtected, h.Synthetic, h.SyntheticSeed,
            $"{CartridgeHeader.MajorVersion}.{h.MinorVersion}", c.Sequence, c.ObjectCount, c.DataLength, c.TapeLength, c.FilemarkCount);
    }

    /// <summary>Sets or clears the write-protect tab; the cartridge must not be loaded anywhere.</summary>
    /// <param name="directory">The cartridge directory.</param>
    /// <param name="on">Whether to protect it.</param>
    public static void SetWriteProtect(string directory, bool on)
    {
        try
        {
            CartridgeStore.SetWriteProtect(directory, on);
        }
        catch (CartridgeLockedException e)
        {
            throw new TapeDriveException(e.Message, TapeErrorKind.Busy, 16, "write-protect", directory);
        }
    }

    /// <summary>
    /// Injects silent corruption (docs/devices/virtual-cartridge.md#silent-corruption): 1 to 8 bytes of the payload of
    /// committed data block <paramref name="blockId"/> are changed and its record re-sealed, so a drive reads the wrong
    /// bytes back without an error, as from a drive whose error correction let a bad block through. Only the checksums
    /// of the formats written on the tape can notice. The cartridge must not be loaded anywhere.
    /// </summary>
    /// <param name="directory">The cartridge directory.</param>
    /// <param name="blockId">The logical object id of a data block.</param>
    /// <param name="seed">Chooses the bytes changed and how.</param>
    /// <returns>False when <paramref name="blockId"/> is a tape mark, a synthetic block, beyond the last commit, or already unreadable.</returns>
    /// <exception cref="TapeDriveException">The cartridge is loaded in a drive or locked by another process (<see cref="TapeErrorKind.Busy"/>).</exception>
    public static bool CorruptBlock(string directory, long blockId, int seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        try
        {
            using CartridgeStore store = CartridgeStore.Open(directory, CartridgeDurability.Full);
            return store.CorruptPayload(blockId, new Random(seed));
        }
        catch (CartridgeLockedException e)
        {
            throw new TapeDriveException(e.Message, TapeErrorKind.Busy, 16, "corrupt-block", directory);
        }
    }

    /// <summary>
    /// Checks a cartridge against docs/devices/virtual-cartridge.md: header, commit, every committed record and every stored payload
    /// CRC. Loading performs recovery, so an uncommitted tail is truncated away first, as at any load.
    /// </summary>
    /// <param name="directory">The cartridge directory.</param>
    /// <returns>The problems found; empty when the cartridge is sound.</returns>
    public static IReadOnlyList<string> Verify(string directory)
    {
        var problems = new List<string>();
        try
        {
            using var store = OpenLocked(directory);
            byte[] buffer = new byte[1 << 20];
            for (long i = 0; i < store.Count; i++)
            {
                var r = store[i];
                if (r.IsFilemark || r.Synthetic)
                {
                    continue;
                }

                if (r.Length > buffer.Length)
                {
                    buffer = new byte[r.Length];
                }

                if (!store.ReadPayload(i, buffer))
                {
                    problems.Add($"object {i}: the payload CRC does not match (a media error on read)");
                }
            }
        }
        catch (TapeFormatException e)
        {
            problems.Add(e.Message);
        }

        return problems;
    }

    /// <summary>
    /// The canonical dump of docs/devices/virtual-cartridge.md#the-conformance-vectors: one line per object (identifier, kind, length, tape offset, payload
    /// CRC), then the commit. The C tool <c>tapekit_vtape dump</c> prints the same text.
    /// </summary>
    /// <param name="directory">The cartridge directory.</param>
    /// <returns>The text, lines ending in <c>\n</c>.</returns>
    public static string CanonicalDump(string directory)
    {
        using var store = OpenLocked(directory);
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        for (long i = 0; i < store.Count; i++)
        {
            var r = store[i];
            text.Append(inv, $"{i} {(r.IsFilemark ? "filemark" : "data")} {r.Length} {r.TapeOffset} {r.PayloadCrc:x8}\n");
        }

        var c = store.Commit;
        text.Append(inv, $"commit sequence={c.Sequence} objects={c.ObjectCount} data={c.DataLength} tape={c.TapeLength} filemarks={c.FilemarkCount}\n");
        return text.ToString();
    }

    private static CartridgeStore OpenLocked(string directory)
    {
        try
        {
            return CartridgeStore.Open(directory, CartridgeDurability.Process);
        }
        catch (CartridgeLockedException e)
        {
            throw new TapeDriveException(e.Message, TapeErrorKind.Busy, 16, "open cartridge", directory);
        }
    }
}
