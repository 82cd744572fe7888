using System.Diagnostics.CodeAnalysis;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;

namespace TapeKit.Aggregation;

/// <summary>
/// Reads an aggregation entry by entry from an <see cref="IBlockSource"/>: <see cref="ReadNext"/>
/// gives the next entry's header, <see cref="CopyDataTo"/> streams its data while checking every
/// checksum the format carries. Damage is a <see cref="TapeFormatException"/> that names the
/// entry and its byte offset; everything returned before it is complete and verified.
/// </summary>
/// <remarks>
/// Data reaches the destination stream block by block, before the member's final checksum can be
/// compared, so a caller that must never keep wrong data writes to a temporary place and keeps it
/// only when <see cref="CopyDataTo"/> returns (as <see cref="SafeExtractor"/> does).
/// </remarks>
public abstract class AggregationReader : IDisposable
{
    private readonly List<string> _warnings = [];
    private readonly bool _ownsSource;

    /// <summary>Creates a reader over <paramref name="source"/>.</summary>
    /// <param name="source">The blocks.</param>
    /// <param name="ownsSource">Whether <see cref="Dispose()"/> disposes the source.</param>
    protected AggregationReader(IBlockSource source, bool ownsSource)
    {
        ArgumentNullException.ThrowIfNull(source);
        Source = source;
        _ownsSource = ownsSource;
    }

    /// <summary>The blocks read.</summary>
    public IBlockSource Source { get; }

    /// <summary>The payload format.</summary>
    public abstract AggregationFormat Format { get; }

    /// <summary>The tape block size S.</summary>
    public int BlockSize => Source.BlockSize;

    /// <summary>Warnings found so far (e.g. "no TapeKit manifest"); errors are thrown instead.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The entry returned by the last <see cref="ReadNext"/>.</summary>
    public AggregationEntry? Current { get; protected set; }

    /// <summary>
    /// Moves to the next entry, first reading and checking whatever is left of the current one.
    /// </summary>
    /// <returns>The entry, or <see langword="null"/> at the clean end of the aggregation.</returns>
    /// <exception cref="TapeFormatException">The aggregation is damaged or truncated here.</exception>
    public abstract AggregationEntry? ReadNext();

    /// <summary>
    /// Streams the current entry's data to <paramref name="destination"/> (or only checks it when
    /// <see langword="null"/>), verifying every checksum; returns the digest computed. Throws if
    /// any check fails — the data written so far must then be discarded.
    /// </summary>
    /// <param name="destination">Where the data goes, or <see langword="null"/>.</param>
    /// <returns>The data's digest.</returns>
    /// <exception cref="TapeFormatException">A checksum, a header or the length does not match.</exception>
    public abstract MemberDigest CopyDataTo(Stream? destination);

    /// <summary>
    /// Moves past the current entry's data for a caller that does not want it (a recall passing over the members it was
    /// not asked for). The tar and IL readers read the member's blocks, as a sequential read passes them, and check the
    /// structure that leads to the next entry, but compute and check no checksum of the member's bytes: damage in a
    /// member nobody asked for does not stop the read of the ones after it. A reader that cannot tell its structure
    /// from its checksums verifies, as <see cref="CopyDataTo"/> with no destination does (this default).
    /// </summary>
    /// <exception cref="TapeFormatException">The aggregation is truncated or its structure damaged here.</exception>
    public virtual void SkipData() => CopyDataTo(null);

    /// <summary>Whether the current entry's data is still to be read (set by a reader's <see cref="ReadNext"/>).</summary>
    private protected bool DataPending { get; set; }

    /// <summary>The entry whose data is next, marked as taken; refuses a second take or one before <see cref="ReadNext"/>.</summary>
    private protected AggregationEntry TakePending()
    {
        if (!DataPending || Current is null)
        {
            throw new InvalidOperationException("There is no entry whose data is still to be read; call ReadNext first.");
        }

        DataPending = false;
        return Current;
    }

    /// <summary>Reads every entry and checks every checksum, returning the member index of the regular files.</summary>
    /// <returns>The members.</returns>
    /// <exception cref="TapeFormatException">At the first damage.</exception>
    public IReadOnlyList<AggregationMember> VerifyAll()
    {
        var members = new List<AggregationMember>();
        while (ReadNext() is { } entry)
        {
            var digest = CopyDataTo(null);
            if (entry.Type == AggregationEntryType.File)
            {
                members.Add(entry.ToMember(digest));
            }
        }

        return members;
    }

    /// <summary>
    /// Opens an aggregation file: recognises IL or tar from the first block (F4.3) and finds the
    /// block size — IL from its first header, tar from its manifest (F6.7) or
    /// <paramref name="tarBlockSize"/>, otherwise 512 (a foreign archive's record size cannot be
    /// known; reading it in 512-byte blocks is always exact — TapeKit's choice).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="tarBlockSize">The tape block size of a tar file without a TapeKit manifest.</param>
    /// <returns>The reader; dispose it to close the file.</returns>
    /// <exception cref="TapeFormatException">The file is neither IL nor tar.</exception>
    public static AggregationReader OpenFile(string path, int? tarBlockSize = null)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
        try
        {
            return Open(stream, tarBlockSize, ownsStream: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens an aggregation held in a seekable stream; see <see cref="OpenFile"/>.</summary>
    /// <param name="stream">The stream, positioned at the first byte of the aggregation.</param>
    /// <param name="tarBlockSize">The tape block size of a tar archive without a TapeKit manifest.</param>
    /// <param name="ownsStream">Whether disposing the reader disposes the stream.</param>
    /// <returns>The reader.</returns>
    public static AggregationReader Open(Stream stream, int? tarBlockSize = null, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long origin = stream.Position;
        Span<byte> head = stackalloc byte[IlHeader.Size + 1];
        int n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        stream.Position = origin;
        head = head[..n];
        if (IlHeader.IsIlBlock(head))
        {
            var header = IlHeader.Parse(head);
            if (header.BlockSize > BlockSizes.Maximum || header.BlockSize <= IlHeader.Size || header.BlockSize % 512 != 0)
            {
                IlFields.ThrowField("blockSize", IlHeaderLayout.BlockSizeOffset, IlHeaderLayout.BlockSizeLength,
                    head.Slice(IlHeaderLayout.BlockSizeOffset, IlHeaderLayout.BlockSizeLength), 0, "is not a usable block size");
            }

            return new IlAggregationReader(new StreamBlockSource(stream, (int)header.BlockSize, leaveOpen: !ownsStream), ownsSource: true);
        }

        if (n >= TarHeader.Size && TarHeader.IsTarHeader(head[..TarHeader.Size]))
        {
            var probe = new StreamBlockSource(stream, TarHeader.Size, leaveOpen: true);
            var manifest = TarManifestLocator.TryFind(probe, out _);
            stream.Position = origin;
            int blockSize = manifest?.BlockSize ?? tarBlockSize ?? TarHeader.Size;
            var source = new StreamBlockSource(stream, blockSize, leaveOpen: !ownsStream);
            return new TarAggregationReader(source, manifest, ownsSource: true);
        }

        return ThrowUnknown(head);
    }

    /// <summary>
    /// Reads one member given its index entry, touching only the blocks that hold it (F5.8, F6.6),
    /// and checks that the blocks hold that member with the recorded checksums.
    /// </summary>
    /// <param name="source">The aggregation's blocks.</param>
    /// <param name="format">The payload format.</param>
    /// <param name="member">The index entry (from a writer, a manifest or a catalogue).</param>
    /// <param name="destination">Where the data goes (discard it if this method throws).</param>
    /// <returns>The digest of the data read.</returns>
    /// <exception cref="TapeFormatException">The blocks do not hold the member, or its data is damaged.</exception>
    public static MemberDigest ReadMember(IBlockSource source, AggregationFormat format, AggregationMember member, Stream? destination)
        => ReadMember(source, format, member, destination, null, null);

    /// <summary>
    /// Reads one member of an aggregation on tape, as <see cref="ReadMember(IBlockSource, AggregationFormat, AggregationMember, Stream?)"/>
    /// does, and for IL also checks that each block header names this tape file (F4.5: <c>tapeMarkCount</c> = fseq,
    /// <c>blockCount</c> = the block's logical object id).
    /// </summary>
    /// <param name="source">The aggregation's blocks.</param>
    /// <param name="format">The payload format.</param>
    /// <param name="member">The index entry.</param>
    /// <param name="destination">Where the data goes (discard it if this method throws).</param>
    /// <param name="tapeFileSequence">The fseq of the tape file, checked against IL headers.</param>
    /// <param name="firstObjectId">The logical object id of the file's first data block, checked against IL headers.</param>
    /// <returns>The digest of the data read.</returns>
    public static MemberDigest ReadMember(IBlockSource source, AggregationFormat format, AggregationMember member, Stream? destination, ulong? tapeFileSequence, ulong? firstObjectId)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(member);
        using AggregationReader reader = format == AggregationFormat.Il
            ? new IlAggregationReader(source, ownsSource: false, startBlock: member.BlockIndex, tapeFileSequence, firstObjectId)
            : new TarAggregationReader(source, null, ownsSource: false, startOffset: member.HeaderOffset, expected: member);
        var entry = reader.ReadNext()
            ?? throw new TapeFormatException($"No member starts at block {member.BlockIndex} offset {member.OffsetInBlock}: the aggregation ends there.", "member index", "blockIndex", member.HeaderOffset, 0, string.Empty);
        string expectedName = format == AggregationFormat.Il ? IlFields.StoredName(member.Name) : member.Name;
        if (entry.Name != expectedName || entry.Size != member.Size || entry.Type != AggregationEntryType.File
            || (format == AggregationFormat.Il && entry.FileId != member.FileId) || entry.DataOffset != member.PayloadOffset)
        {
            throw new TapeFormatException(
                $"The member at byte {member.HeaderOffset} is \"{MemberName.Printable(entry.Name)}\" ({entry.Size} bytes, file id {entry.FileId}, data at {entry.DataOffset}); the index expects \"{MemberName.Printable(member.Name)}\" ({member.Size} bytes, file id {member.FileId}, data at {member.PayloadOffset}).",
                "member index", "name", member.HeaderOffset, 0, TapeFormatException.Printable(System.Text.Encoding.UTF8.GetBytes(entry.Name)));
        }

        var digest = reader.CopyDataTo(destination);
        if (!digest.Agrees(member.Digest))
        {
            throw new TapeFormatException(
                $"Member \"{MemberName.Printable(member.Name)}\" at byte {member.PayloadOffset} has {digest}; the index records {member.Digest}.",
                "member", "adler32", member.PayloadOffset, 0, digest.ToString());
        }

        return digest;
    }

    /// <summary>Records a warning.</summary>
    /// <param name="warning">A sentence.</param>
    protected void AddWarning(string warning) => _warnings.Add(warning);

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the source if the reader owns it.</summary>
    /// <param name="disposing">Whether called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsSource && Source is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }

    [DoesNotReturn]
    private static AggregationReader ThrowUnknown(ReadOnlySpan<byte> head) =>
        throw new TapeFormatException(
            head.IsEmpty
                ? "The aggregation is empty: it has no block."
                : "The first block is neither an IL block (F4.3: dd.dd, 01024, Adler-32, valid header checksum) nor a tar header (ustar magic, valid checksum).",
            "aggregation", null, 0, head.Length, TapeFormatException.Printable(head[..Math.Min(head.Length, 32)]));
}
