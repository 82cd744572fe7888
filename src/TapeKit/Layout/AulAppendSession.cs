using System.Globalization;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Devices;
using TapeKit.Labels;

namespace TapeKit.Layout;

/// <summary>
/// Writes tape files one after another at the end of an AUL tape: plain AUL files (F10) and ALB
/// files whose IL or tar payload streams straight into tape blocks (F4). Each file is three tape
/// marks: after its header labels, after its data, after its trailer labels. With buffered marks,
/// files become durable only when a synchronising mark covers them (<see cref="DurableFiles"/>).
/// </summary>
public sealed class AulAppendSession : IDisposable
{
    private readonly AulVolume _volume;
    private readonly LabelWriter _writer;
    private readonly TapeMarkPolicy _policy;
    private readonly List<TapeFileInfo> _durable = [];
    private readonly List<TapeFileInfo> _pending = [];
    private long _position;
    private long _bytesSinceFlush;
    private bool _failed;

    internal AulAppendSession(AulVolume volume, LabelWriter writer, TapeMarkPolicy policy, long nextFileSequence, long position)
    {
        _volume = volume;
        _writer = writer;
        _policy = policy;
        NextFileSequence = nextFileSequence;
        _position = position;
    }

    /// <summary>The fseq the next file gets.</summary>
    public long NextFileSequence { get; private set; }

    /// <summary>The logical object id the next file's HDR1 gets; its first data block is four objects later.</summary>
    public long NextHeaderObjectId => _position;

    /// <summary>Files written and covered by a synchronising mark: safe to record in a catalogue.</summary>
    public IReadOnlyList<TapeFileInfo> DurableFiles => _durable;

    /// <summary>Files written but not yet synchronised: a power loss may take them.</summary>
    public IReadOnlyList<TapeFileInfo> PendingFiles => _pending;

    /// <summary>Whether the drive reported early warning: finish the session and use another tape.</summary>
    public bool PastEarlyWarning { get; private set; }

    /// <summary>Called with the files a synchronisation has just made durable.</summary>
    public Action<IReadOnlyList<TapeFileInfo>>? Durable { get; set; }

    /// <summary>Writes a plain AUL file (F10): data blocks of exactly S bytes, the last one 1 to S bytes.</summary>
    /// <param name="fileId">The non-zero archive file id.</param>
    /// <param name="data">The user file's bytes; it must not be empty (F10.3).</param>
    /// <param name="blockSize">S.</param>
    /// <param name="compressed">Whether the drive compresses (HDR2 recording technique).</param>
    /// <returns>The file written (not yet durable with buffered marks).</returns>
    public TapeFileInfo WriteFile(ulong fileId, Stream data, int blockSize = BlockSizes.Default, bool compressed = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfZero(fileId);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        byte[] block = new byte[blockSize];
        int first = data.ReadAtLeast(block, blockSize, throwOnEndOfStream: false);
        if (first == 0)
        {
            throw new ArgumentException("A zero-length file is not written as its own tape file (an empty tape file cannot be told from a missing one); put it in an aggregation or only in the catalogue.", nameof(data));
        }

        return WriteTapeFile(fileId, blockSize, compressed, sink =>
        {
            int length = first;
            while (length > 0)
            {
                sink.WriteBlock(block.AsSpan(0, length));
                length = length < blockSize ? 0 : data.ReadAtLeast(block, blockSize, throwOnEndOfStream: false);
            }

            return (PayloadKind.Opaque, (IReadOnlyList<AggregationMember>)[]);
        });
    }

    /// <summary>
    /// Writes an ALB file (F4): the members are packed into an IL or tar payload streamed straight
    /// into tape blocks of exactly S bytes, with bounded memory whatever their sizes.
    /// </summary>
    /// <param name="aggregationId">The non-zero aggregation id, written as the HDR1 file id.</param>
    /// <param name="members">The members, in order.</param>
    /// <param name="format">IL or tar.</param>
    /// <param name="blockSize">S (a multiple of 512 for tar; more than 1024 for IL).</param>
    /// <param name="clock">The clock for member times (tar) and IL headers; the system clock when null.</param>
    /// <returns>The file written, with its member index (block indexes relative to the first data block).</returns>
    public TapeFileInfo WriteAggregation(ulong aggregationId, IEnumerable<MemberSource> members, AggregationFormat format, int blockSize = BlockSizes.Default, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentOutOfRangeException.ThrowIfZero(aggregationId);
        long fseq = NextFileSequence;
        long firstData = _position + 4;
        return WriteTapeFile(aggregationId, blockSize, compressed: false, sink =>
        {
            IAggregationWriter writer = format == AggregationFormat.Il
                ? new IlAggregationWriter(sink, new IlWriterOptions
                {
                    TapeMarkCount = (ulong)fseq,
                    FirstBlockCount = (ulong)firstData,
                    VolId = _volume.Vsn,
                    Clock = clock ?? TimeProvider.System,
                })
                : new TarAggregationWriter(sink, new TarWriterOptions { AggregationId = aggregationId, Clock = clock ?? TimeProvider.System });
            foreach (MemberSource member in members)
            {
                writer.Add(member);
            }

            return (format == AggregationFormat.Il ? PayloadKind.Il : PayloadKind.Tar, writer.Complete());
        });
    }

    /// <summary>Synchronises: every file written so far becomes durable.</summary>
    /// <returns>The files this call made durable.</returns>
    public IReadOnlyList<TapeFileInfo> Flush()
    {
        ThrowIfFailed();
        if (_pending.Count == 0)
        {
            return [];
        }

        Run(() => _volume.Drive.Synchronize());
        return MarkDurable();
    }

    /// <summary>Flushes what is pending; a failed session is left as it is.</summary>
    public void Dispose()
    {
        if (!_failed)
        {
            Flush();
        }
    }

    private TapeFileInfo WriteTapeFile(ulong fileId, int blockSize, bool compressed, Func<DriveBlockSink, (PayloadKind Payload, IReadOnlyList<AggregationMember> Members)> writeData)
    {
        ThrowIfFailed();
        long fseq = NextFileSequence;
        FileLabelGroup headers = _writer.Headers(fileId, _volume.Vsn, fseq, blockSize, compressed);
        ITapeDrive drive = _volume.Drive;
        long header = _position;
        bool immediate = !_policy.Synchronous;
        var sink = new DriveBlockSink(drive, blockSize);
        (PayloadKind payload, IReadOnlyList<AggregationMember> members) = (PayloadKind.Opaque, []);
        FileLabelGroup trailers = default;
        bool flush = false;
        Run(() =>
        {
            WriteGroup(drive, headers);
            drive.WriteFilemarks(1, immediate);
            (payload, members) = writeData(sink);
            if (sink.BlocksWritten == 0)
            {
                throw new InvalidOperationException("A tape file needs at least one data block.");
            }

            drive.WriteFilemarks(1, immediate);
            trailers = headers.ToTrailers(sink.BlocksWritten);
            WriteGroup(drive, trailers);
            flush = _policy.FlushDue(_pending.Count + 1, _bytesSinceFlush + sink.BytesWritten);
            drive.WriteFilemarks(1, immediate: !flush);
        });

        var info = new TapeFileInfo(fseq, header, fileId, blockSize, sink.BlocksWritten, sink.BytesWritten, payload)
        {
            Headers = headers,
            Trailers = trailers,
            Members = members,
        };
        _position = header + 9 + sink.BlocksWritten;
        NextFileSequence = fseq + 1;
        _volume.KnownEnd = (fseq, _position);
        PastEarlyWarning |= sink.PastEarlyWarning;
        _pending.Add(info);
        _bytesSinceFlush += sink.BytesWritten;
        if (flush)
        {
            MarkDurable();
        }

        return info;
    }

    private static void WriteGroup(ITapeDrive drive, in FileLabelGroup group)
    {
        Span<byte> label = stackalloc byte[AnsiLabel.Length];
        group.Label1.WriteTo(label);
        drive.WriteBlock(label);
        group.Label2.WriteTo(label);
        drive.WriteBlock(label);
        group.UserLabel.WriteTo(label);
        drive.WriteBlock(label);
    }

    private TapeFileInfo[] MarkDurable()
    {
        TapeFileInfo[] made = [.. _pending];
        _durable.AddRange(made);
        _pending.Clear();
        _bytesSinceFlush = 0;
        Durable?.Invoke(made);
        return made;
    }

    /// <summary>Runs a write step; any failure fails the session: what is pending is not durable and must be written again elsewhere.</summary>
    private void Run(Action step)
    {
        try
        {
            step();
        }
        catch
        {
            _failed = true;
            _volume.KnownEnd = null;
            throw;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failed)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The append session on {_volume.Vsn} failed; {_pending.Count} written file(s) are not durable. Mount again and append after the last durable file."));
        }
    }
}
