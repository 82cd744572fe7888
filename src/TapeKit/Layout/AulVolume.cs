using System.Globalization;
using TapeKit.Aggregation;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Labels;

namespace TapeKit.Layout;

/// <summary>
/// A mounted AUL (ANSI-labelled) tape: the mount check done, ready to append files safely, read a
/// file by fseq or block id with full label checks, read one ALB member by locating to its block,
/// or scan the whole tape (<c>docs/formats/aul.md</c>, F4, F10, F11).
/// </summary>
public sealed partial class AulVolume
{
    private readonly byte[] _labelBuffer = new byte[TapeReads.LabelBufferSize];

    private AulVolume(ITapeDrive drive, Vol1Label volume, LabelReadMode mode, IReadOnlyList<LabelWarning> warnings)
    {
        Drive = drive;
        Volume = volume;
        Mode = mode;
        Warnings = warnings;
    }

    /// <summary>The drive the tape is mounted in.</summary>
    public ITapeDrive Drive { get; }

    /// <summary>The tape's VOL1.</summary>
    public Vol1Label Volume { get; }

    /// <summary>The VSN.</summary>
    public string Vsn => Volume.Vsn;

    /// <summary>How labels are checked when read.</summary>
    public LabelReadMode Mode { get; }

    /// <summary>Warnings of the mount check (Lenient mode).</summary>
    public IReadOnlyList<LabelWarning> Warnings { get; }

    /// <summary>
    /// The last file and end position this mount itself wrote, or <see langword="null"/> when only the tape can tell.
    /// An append after exactly that file needs no re-reading: this session put the tape in that state.
    /// </summary>
    internal (long LastFileSequence, long EndObjectId)? KnownEnd { get; set; }

    /// <summary>
    /// Labels a blank cartridge: VOL1, the PRELABEL HDR1 and a synchronising tape mark (docs/formats/aul.md#1-what-is-on-the-tape, CTA
    /// <c>LabelSession.cpp</c>), then mounts it. A cartridge that already holds data is refused unless
    /// <paramref name="overwrite"/> says its contents may be destroyed.
    /// </summary>
    /// <param name="drive">The drive holding the cartridge.</param>
    /// <param name="writer">The label writer (profile, clock, site, drive identity).</param>
    /// <param name="vsn">The VSN to write.</param>
    /// <param name="overwrite">Whether a cartridge that holds data may be relabelled (destroying it).</param>
    /// <returns>The mounted volume.</returns>
    /// <exception cref="UnsafeOperationException">The cartridge holds data and <paramref name="overwrite"/> is false.</exception>
    public static AulVolume Prelabel(ITapeDrive drive, LabelWriter writer, string vsn, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(drive);
        ArgumentNullException.ThrowIfNull(writer);
        Vol1Label vol1 = writer.Volume(vsn);
        Hdr1Label prelabel = writer.Prelabel(vsn);
        if (!overwrite)
        {
            byte[] probe = new byte[TapeReads.LabelBufferSize];
            TapeReadResult first = TapeReads.ReadFirstObject(drive, probe);
            if (first.Kind != TapeReadKind.EndOfData)
            {
                string what = first.Kind == TapeReadKind.Data && first.Length == AnsiLabel.Length && AnsiLabel.TryParse(probe.AsSpan(0, 80), out AnsiLabel l) && l.Kind == LabelKind.Vol1
                    ? $"is labelled {l.AsVol1().Vsn}"
                    : "holds data";
                throw new UnsafeOperationException($"The cartridge {what}; labelling it would destroy what it holds. Relabel only with overwrite.", "vol1", UnsafeOperationKind.MediumHoldsData);
            }
        }

        drive.Rewind();

        Span<byte> label = stackalloc byte[AnsiLabel.Length];
        vol1.WriteTo(label);
        drive.WriteBlock(label);
        prelabel.WriteTo(label);
        drive.WriteBlock(label);
        drive.WriteFilemarks(1);

        // This session wrote the tape: its end is known (file 0, before object 1) without reading it back,
        // which also lets timing simulations run on synthetic cartridges that keep no payload.
        return new AulVolume(drive, vol1, LabelReadMode.Strict, []) { KnownEnd = (0, 1) };
    }

    /// <summary>
    /// The mount check of docs/formats/aul.md#5-reading-and-appending: rewind, read VOL1 as exactly 80 bytes, check it and require the
    /// expected VSN. A tape announcing CRC32C logical block protection is refused: drive handles do
    /// not switch LBP on (open point O17, docs/devices/rules.md#dev-o17).
    /// </summary>
    /// <param name="drive">The drive holding the cartridge.</param>
    /// <param name="expectedVsn">The VSN the caller meant to mount.</param>
    /// <param name="mode">Strict (CTA's rules) or Lenient.</param>
    /// <returns>The mounted volume.</returns>
    /// <exception cref="TapeFormatException">There is no valid VOL1.</exception>
    /// <exception cref="UnsafeOperationException">The cartridge is another one, or needs LBP.</exception>
    public static AulVolume Mount(ITapeDrive drive, string expectedVsn, LabelReadMode mode = LabelReadMode.Strict)
    {
        ArgumentNullException.ThrowIfNull(drive);
        ArgumentNullException.ThrowIfNull(expectedVsn);
        byte[] buffer = new byte[TapeReads.LabelBufferSize];
        TapeReadResult first = TapeReads.ReadFirstObject(drive, buffer);
        if (first.Kind != TapeReadKind.Data || first.Length != AnsiLabel.Length)
        {
            string found = first.Kind switch
            {
                TapeReadKind.EndOfData => "end of data: the cartridge is blank (or unreadable at BOT)",
                TapeReadKind.Filemark => "a tape mark",
                _ => $"a block of {first.Length} bytes: the tape is not labelled (NL?)",
            };
            throw TapeReads.Misplaced("VOL1", 0, found);
        }

        Vol1Label vol1;
        IReadOnlyList<LabelWarning> warnings;
        try
        {
            vol1 = AulChecks.CheckVolume(buffer.AsSpan(0, AnsiLabel.Length), expectedVsn, mode, out warnings);
        }
        catch (TapeFormatException e) when (e.Field == "vsn" && e.Kind == "VOL1" && Vol1Label.TryParse(buffer.AsSpan(0, 80), out _))
        {
            throw new UnsafeOperationException(e.Message, "vsn", UnsafeOperationKind.WrongVolume);
        }

        if (vol1.LbpMethod == LbpMethod.Crc32C)
        {
            throw new UnsafeOperationException($"Tape {vol1.Vsn} announces CRC32C logical block protection (VOL1 lbpMethod 02); this drive handle cannot switch LBP on, so it must not read or write the tape.", "lbpMethod", UnsafeOperationKind.UnsupportedProtection);
        }

        return new AulVolume(drive, vol1, mode, warnings);
    }

    /// <summary>Positions before the HDR1 of file <paramref name="fileSequence"/> (block id if known, else by spacing tape marks).</summary>
    /// <param name="fileSequence">The fseq.</param>
    /// <param name="ctaBlockId">The block id recorded by the CTA convention (0 means 1), if known.</param>
    public void PositionAtFile(long fileSequence, long? ctaBlockId = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fileSequence, 1);
        if (ctaBlockId is long id)
        {
            Drive.Locate(id == 0 ? 1 : id);
            return;
        }

        Drive.Locate(1);
        TapeReads.SpaceFilemarks(Drive, 3 * (fileSequence - 1));
    }

    /// <summary>
    /// Reads a whole tape file with every check of docs/formats/aul.md#5-reading-and-appending: headers (file id, file-set id, UHL1 fseq),
    /// data blocks of at most S bytes, trailers, and the EOF1 block count. The data is copied to
    /// <paramref name="destination"/>; its Adler-32 is returned so the caller can compare it with the
    /// catalogue.
    /// </summary>
    /// <param name="fileSequence">The fseq.</param>
    /// <param name="expectedFileId">The archive file id (ALB: aggregation id) the catalogue records.</param>
    /// <param name="destination">Where the data goes; <see langword="null"/> to only verify.</param>
    /// <param name="ctaBlockId">The block id recorded for the file, if any.</param>
    /// <returns>What was read, and the Adler-32 of the data.</returns>
    public (TapeFileInfo File, uint Adler32) ReadFile(long fileSequence, ulong expectedFileId, Stream? destination, long? ctaBlockId = null)
    {
        PositionAtFile(fileSequence, ctaBlockId);
        long headerObject = Drive.ReadPosition();
        FileLabelGroup headers = ReadGroup(header: true, headerObject);
        int blockSize;
        try
        {
            blockSize = AulChecks.CheckHeaders(headers, expectedFileId, Vsn, fileSequence);
        }
        catch (TapeFormatException e) when (e.Field is "fileId" or "fileSetId" or "fileSequence")
        {
            throw new UnsafeOperationException(e.Message, e.Field!, UnsafeOperationKind.WrongTapeFile);
        }

        blockSize = ReadableBlockSize(headers, headerObject, blockSize);
        TapeFileInfo info = ReadBody(fileSequence, headerObject, expectedFileId, headers, blockSize, destination, checksum: true, out uint adler32);
        return (info, adler32);
    }

    /// <summary>
    /// The block size S of a file's UHL1 as a reader may use it: the buffers that read the file's blocks are S bytes, so
    /// an S beyond the largest block this drive handle reads (<see cref="TapeDriveCapabilities.MaxBlockLength"/>, 8 MiB
    /// by default) is refused before anything is allocated. No block of such a file could be read through this handle,
    /// and a hostile or damaged label must not decide how much memory a scan takes (found by fuzzing: a UHL1 saying
    /// 2 000 000 000 made every read of the file take and clear a 2 GB buffer).
    /// </summary>
    private int ReadableBlockSize(FileLabelGroup headers, long headerObject, long blockSize)
    {
        int max = Drive.Capabilities.MaxBlockLength;
        if (blockSize > max)
        {
            Span<byte> uhl1 = stackalloc byte[AnsiLabel.Length];
            headers.UserLabel.WriteTo(uhl1);
            LabelField field = LabelFields.Uhl1.BlockSize;
            throw new TapeFormatException(
                string.Create(CultureInfo.InvariantCulture, $"{LabelFields.Describe("UHL1", field)} of the file at object {headerObject} is {blockSize}; this drive reads blocks of at most {max} bytes."),
                "UHL1", field.Name, field.Offset, field.Length, TapeFormatException.Printable(field.Of(uhl1)));
        }

        return (int)Math.Max(blockSize, 1);
    }

    /// <summary>
    /// Reads what follows a file's header group: its tape mark, the data blocks (into
    /// <paramref name="destination"/>; their Adler-32 in <paramref name="adler32"/> when <paramref name="checksum"/>),
    /// the trailer group, its tape mark, and checks the EOF1 block count.
    /// </summary>
    private TapeFileInfo ReadBody(long fseq, long header, ulong fileId, FileLabelGroup headers, int blockSize, Stream? destination, bool checksum, out uint adler32)
    {
        TapeReads.ReadFilemark(Drive, _labelBuffer, "the header labels", header + 3);
        (long blocks, long bytes, PayloadKind payload, adler32) = ReadData(header + 4, blockSize, destination, checksum);
        FileLabelGroup trailers = ReadGroup(header: false, header + 5 + blocks);
        TapeReads.ReadFilemark(Drive, _labelBuffer, "the trailer labels", header + 8 + blocks);
        AulChecks.CheckBlockCount(trailers.Label1, blocks, Mode);
        return new TapeFileInfo(fseq, header, fileId, blockSize, blocks, bytes, payload)
        {
            Headers = headers,
            Trailers = trailers,
        };
    }

    /// <summary>Reads one member of an ALB file by locating to its first block, touching only the blocks that hold it (F4.5).</summary>
    /// <param name="file">The ALB file (from a catalogue or a scan).</param>
    /// <param name="format">Its payload format.</param>
    /// <param name="member">The member's index entry.</param>
    /// <param name="destination">Where the member's data goes; discard it if this throws.</param>
    /// <returns>The digest of the data read, already checked against the index.</returns>
    public MemberDigest ReadMember(TapeFileInfo file, AggregationFormat format, AggregationMember member, Stream? destination)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(member);
        var source = new DriveBlockSource(Drive, file.FirstDataObjectId, file.BlockSize, file.DataBlocks);
        LastMemberSource = source;
        return AggregationReader.ReadMember(source, format, member, destination, (ulong)file.FileSequence, (ulong)file.FirstDataObjectId);
    }

    /// <summary>The block source of the last <see cref="ReadMember"/>, with its counters.</summary>
    public DriveBlockSource? LastMemberSource { get; private set; }

    internal FileLabelGroup ReadGroup(bool header, long firstObject)
    {
        Span<byte> three = stackalloc byte[3 * AnsiLabel.Length];
        string[] names = header ? ["HDR1", "HDR2", "UHL1"] : ["EOF1", "EOF2", "UTL1"];
        for (int i = 0; i < 3; i++)
        {
            TapeReads.ReadLabel(Drive, _labelBuffer, names[i], firstObject + i);
            _labelBuffer.AsSpan(0, AnsiLabel.Length).CopyTo(three[(i * AnsiLabel.Length)..]);
        }

        return FileLabelGroup.Parse(three[..80], three.Slice(80, 80), three.Slice(160, 80), header, Mode, out _);
    }

    private (long Blocks, long Bytes, PayloadKind Payload, uint Adler32) ReadData(long firstObject, int blockSize, Stream? destination, bool checksum)
    {
        var adler = default(Adler32Checksum);
        byte[] buffer = new byte[blockSize];
        long blocks = 0, bytes = 0;
        PayloadKind payload = PayloadKind.Opaque;
        while (true)
        {
            TapeReadResult result = TapeReads.ReadObject(Drive, buffer, string.Create(CultureInfo.InvariantCulture, $"a data block of at most {blockSize} bytes (UHL1 blockSize)"), firstObject + blocks);
            if (result.Kind == TapeReadKind.Filemark)
            {
                return (blocks, bytes, payload, adler.Value);
            }

            if (result.Kind == TapeReadKind.EndOfData)
            {
                throw TapeReads.Misplaced("the tape mark after the data", firstObject + blocks, "end of data");
            }

            if (blocks == 0)
            {
                payload = PayloadRecognition.Recognise(buffer.AsSpan(0, result.Length));
            }

            if (checksum)
            {
                adler.Append(buffer.AsSpan(0, result.Length));
            }

            destination?.Write(buffer, 0, result.Length);
            blocks++;
            bytes += result.Length;
        }
    }
}
