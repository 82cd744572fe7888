using System.Globalization;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Devices;
using TapeKit.Labels;

namespace TapeKit.Layout;

public sealed partial class AulVolume
{
    /// <summary>
    /// Reads the whole tape from its labels alone and lists its files — fseq, position, labels,
    /// block counts, payload kind and, for ALB files, their members — the way a catalogue is rebuilt
    /// without one (<c>docs/hsm/overview.md#rebuilding-the-catalogue-from-tapes</c>). A file whose labels or layout are damaged ends the scan
    /// with a <see cref="TapeFormatException"/> naming where; what was listed before stays valid.
    /// </summary>
    /// <param name="withMembers">Whether to read each ALB payload to list its members (reads every block).</param>
    /// <param name="onFile">Called with each file once it is listed (with its members).</param>
    /// <returns>The files, in order.</returns>
    /// <remarks>
    /// A choice TapeKit made (<c>docs/formats/README.md#choice-scan</c>): the scan trusts the tape-mark count, not the
    /// labels; a UHL1 or UTL1 fseq that disagrees with the count is an error (the labels are checked
    /// against the position, as a reader by fseq does).
    /// </remarks>
    public IReadOnlyList<TapeFileInfo> Scan(bool withMembers = true, Action<TapeFileInfo>? onFile = null)
    {
        var files = new List<TapeFileInfo>();
        Drive.Locate(1);
        long position = 1;
        for (long fseq = 1; ; fseq++)
        {
            // Sequential reading only: after the trailer tape mark just read, end of data reads as such (T7),
            // whereas a locate to end of data would read as blank tape (T8).
            TapeReadResult first = TapeReads.ReadObject(Drive, _labelBuffer, "HDR1 or end of data", position);
            if (first.Kind == TapeReadKind.EndOfData || (first.Kind == TapeReadKind.Filemark && fseq > 1))
            {
                break;
            }

            if (first.Kind != TapeReadKind.Data || first.Length != AnsiLabel.Length)
            {
                throw TapeReads.Misplaced("HDR1", position, first.Kind == TapeReadKind.Data ? $"a block of {first.Length} bytes" : "a tape mark");
            }

            if (fseq == 1 && Hdr1Label.TryParse(_labelBuffer.AsSpan(0, AnsiLabel.Length), out Hdr1Label maybePrelabel) && maybePrelabel.IsPrelabel)
            {
                break;
            }

            Drive.SpaceBlocks(-1);
            TapeFileInfo file = ScanFile(fseq, position);
            files.Add(file);
            position = file.HeaderObjectId + 9 + file.DataBlocks;
        }

        for (int i = 0; i < files.Count; i++)
        {
            TapeFileInfo file = files[i];
            if (withMembers && file.Payload is PayloadKind.Il or PayloadKind.Tar)
            {
                files[i] = file = file with { Members = ListMembers(file.FileSequence, file.FirstDataObjectId, file.BlockSize, file.DataBlocks, file.Payload) };
            }

            onFile?.Invoke(file);
        }

        return files;
    }

    private TapeFileInfo ScanFile(long fseq, long header)
    {
        FileLabelGroup headers = ReadGroup(header: true, header);
        long labelledFseq = headers.UserLabel.FileSequence ?? 0;
        LabelField fileSequence = LabelFields.Uhl1.FileSequence;
        if (labelledFseq != fseq)
        {
            throw new TapeFormatException(
                string.Create(CultureInfo.InvariantCulture, $"{LabelFields.Describe("UHL1", fileSequence)} of the file at object {header} is {labelledFseq}; the tape marks say it is file {fseq}."),
                "UHL1", fileSequence.Name, fileSequence.Offset, fileSequence.Length, labelledFseq.ToString(CultureInfo.InvariantCulture));
        }

        int blockSize = ReadableBlockSize(headers, header, headers.UserLabel.BlockSize ?? 1);
        headers.Label1.TryGetFileId(out ulong fileId);
        TapeFileInfo file = ReadBody(fseq, header, fileId, headers, blockSize, destination: null, checksum: false, out _);
        FileLabelGroup trailers = file.Trailers!.Value;
        if (trailers.UserLabel.FileSequence != fseq)
        {
            throw new TapeFormatException(
                string.Create(CultureInfo.InvariantCulture, $"{LabelFields.Describe("UTL1", fileSequence)} of file {fseq} is {trailers.UserLabel.FileSequence}; the tape marks say {fseq}."),
                "UTL1", fileSequence.Name, fileSequence.Offset, fileSequence.Length, string.Empty);
        }

        return file;
    }

    private IReadOnlyList<AggregationMember> ListMembers(long fileSequence, long firstData, int blockSize, long blocks, PayloadKind payload)
    {
        var source = new DriveBlockSource(Drive, firstData, blockSize, blocks);
        using AggregationReader reader = payload == PayloadKind.Il
            ? new IlAggregationReader(source, ownsSource: false, startBlock: 0, (ulong)fileSequence, (ulong)firstData)
            : new TarAggregationReader(source, TarManifestLocator.TryFind(source, out _), ownsSource: false);
        return reader.VerifyAll();
    }

    /// <summary>
    /// Counts the files on the tape by their labels alone (F11.1's "label scan"): reads each HDR1 and
    /// spaces over the file's three tape marks, never reading data blocks, so it costs a few seconds
    /// per file however large the files are.
    /// </summary>
    /// <returns>The number of complete files.</returns>
    /// <exception cref="TapeFormatException">An HDR1 is missing or invalid, or the last file is incomplete.</exception>
    public long CountFiles()
    {
        Drive.Locate(1);
        for (long files = 0; ; files++)
        {
            TapeReadResult next = TapeReads.ReadObject(Drive, _labelBuffer, "HDR1 or end of data", -1);
            if (next.Kind == TapeReadKind.EndOfData || (next.Kind == TapeReadKind.Filemark && files > 0))
            {
                return files;
            }

            if (next.Kind != TapeReadKind.Data || next.Length != AnsiLabel.Length)
            {
                throw TapeReads.Misplaced(string.Create(CultureInfo.InvariantCulture, $"the HDR1 of file {files + 1}"), -1, next.Kind == TapeReadKind.Data ? $"a block of {next.Length} bytes" : "a tape mark");
            }

            Hdr1Label hdr1 = Hdr1Label.Parse(_labelBuffer.AsSpan(0, AnsiLabel.Length), Mode, out _);
            if (files == 0 && hdr1.IsPrelabel)
            {
                return 0;
            }

            try
            {
                Drive.SpaceFilemarks(3);
            }
            catch (TapeDriveException e) when (e.Kind is TapeErrorKind.EndOfData or TapeErrorKind.MediaError)
            {
                throw new TapeFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"File {files + 1} of tape {Vsn} is incomplete: the tape ends before its three tape marks."),
                    "tape file", "fileSequence", files + 1, 0, string.Empty, e);
            }
        }
    }
}
