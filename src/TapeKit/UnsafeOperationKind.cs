namespace TapeKit;

/// <summary>
/// Why TapeKit refused an operation (<see cref="UnsafeOperationException.Kind"/>). Callers decide by the kind —
/// retry elsewhere, flag a tape, map an exit code — never by the wording of the message, which is for people.
/// </summary>
public enum UnsafeOperationKind
{
    /// <summary>A refusal raised through the constructor without a kind (code written before kinds existed).</summary>
    Unclassified,

    /// <summary>
    /// The tape does not look as the caller's record of it says where an append would start: the trailer of the last
    /// known file is missing or wrong, or the prelabel of a tape said to be empty is not there. Nothing was written.
    /// </summary>
    AppendCheckFailed,

    /// <summary>
    /// The tape holds files after the last one the caller knows (its catalogue lags the tape: a restored backup, a
    /// lost update); appending would destroy them. Nothing was written.
    /// </summary>
    CatalogueBehindTape,

    /// <summary>The tape ends before the file the caller believes is its last one (the catalogue is ahead of the tape).</summary>
    CatalogueAheadOfTape,

    /// <summary>The mounted cartridge carries another VSN than the one asked for.</summary>
    WrongVolume,

    /// <summary>The tape file found at the requested position has another file id, file-set id or sequence number.</summary>
    WrongTapeFile,

    /// <summary>The tape announces logical block protection the drive handle cannot switch on.</summary>
    UnsupportedProtection,

    /// <summary>Writing (labelling, or NL writing over a labelled cartridge) would destroy data the cartridge holds.</summary>
    MediumHoldsData,

    /// <summary>
    /// An aggregation member is a link or a device (only regular files and directories are extracted), or a file taken from
    /// outside (an inbox entry, a recall list) is a symbolic link, a FIFO, a device, a socket or a directory where a regular
    /// file was expected.
    /// </summary>
    LinkOrDevice,

    /// <summary>A member name contains a control character (0x00–0x1F or 0x7F).</summary>
    ControlCharacters,

    /// <summary>A member name is absolute, has a <c>..</c> component, or would otherwise land outside the target directory.</summary>
    PathEscapes,

    /// <summary>A member name breaks the name rules in another way (empty, <c>.</c> or empty components, backslash, too long, not Unicode).</summary>
    InvalidMemberName,

    /// <summary>A directory on the way to an extracted member is a symbolic link or a file.</summary>
    LinkInTargetPath,

    /// <summary>The target of an extracted member is an existing directory.</summary>
    TargetOccupied,

    /// <summary>The output (a catalogue file) exists and holds data that the operation would replace.</summary>
    DestinationNotEmpty,

    /// <summary>A regular file taken from outside has more than one hard link, so it is also reachable from outside the directory it was found in.</summary>
    MultipleLinks,

    /// <summary>A file taken from outside changed (size, modification time or identity) while it was being read, or was replaced between a check and its open.</summary>
    FileChanging,

    /// <summary>An input exceeds a bound set to protect memory and time: a line too long, too many entries, a file too large.</summary>
    InputTooLarge,
}
