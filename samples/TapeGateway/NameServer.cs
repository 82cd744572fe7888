using System.Text.Json;
using System.Text.Json.Serialization;

namespace TapeGateway;

/// <summary>A file the name server knows: its name, class and size.</summary>
/// <param name="FileId">The file id (CASTOR: the name server's file id).</param>
/// <param name="Name">Its path in the namespace.</param>
/// <param name="Class">Its file class.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record NsFile(long FileId, string Name, string Class, long Size);

/// <summary>
/// Where one copy of a file is on tape: the tape file (an aggregation, or the file's own), the member's place in it and
/// the block ids a drive locates to. CASTOR's name server keeps the same: file → segment → (VSN, fseq, block id).
/// </summary>
/// <param name="FileId">The file.</param>
/// <param name="CopyNb">The copy number (1 = first).</param>
/// <param name="TapeFileId">The tape file holding it (<see cref="NsTapeFile.Id"/>).</param>
/// <param name="MemberIndex">Its place among the tape file's members (0 for a file of its own).</param>
/// <param name="BlockIndex">The payload block where its record starts, counted from the tape file's first data block.</param>
/// <param name="OffsetInBlock">Where in that block its first header is (tar); 0 for IL and plain files.</param>
/// <param name="PayloadOffset">Where its data starts, from the start of the payload.</param>
/// <param name="Adler32">Its Adler-32 as the aggregation index recorded it (0 for a file of its own).</param>
/// <param name="XxHash3">Its XXH3-64 as the aggregation index recorded it (0 for a file of its own).</param>
/// <param name="Damaged">A recall found this copy unreadable or wrong; recalls use the other copies, and the migrator re-creates it on another tape (a repair).</param>
/// <param name="Replaced">A damaged copy a repair has re-created elsewhere: its tape file still holds the member, but it is no longer one of the file's copies.</param>
public sealed record NsSegment(long FileId, int CopyNb, long TapeFileId, int MemberIndex, long BlockIndex, int OffsetInBlock, long PayloadOffset, uint Adler32, ulong XxHash3, bool Damaged = false, bool Replaced = false);

/// <summary>A tape file: where it is and what it holds.</summary>
/// <param name="Id">Its id (the ALB aggregation id, written as the HDR1 file id).</param>
/// <param name="Vsn">The tape.</param>
/// <param name="Fseq">Its file sequence number.</param>
/// <param name="HeaderBlockId">The logical block id of its HDR1 (its first data block on an NL tape): CASTOR's block id.</param>
/// <param name="FirstDataBlockId">The logical block id of its first data block.</param>
/// <param name="Kind"><c>aul</c> (one file), <c>il</c> or <c>tar</c> (an aggregation), <c>nl</c> (an unlabelled tape's file).</param>
/// <param name="BlockSize">Its block size.</param>
/// <param name="DataBlocks">Its data blocks.</param>
/// <param name="DataBytes">Its payload bytes.</param>
/// <param name="Members">How many files it holds.</param>
/// <param name="LabelId">The HDR1 file id when another system wrote the tape file (its own numbering); null: <paramref name="Id"/>.</param>
public sealed record NsTapeFile(long Id, string Vsn, long Fseq, long HeaderBlockId, long FirstDataBlockId, string Kind, int BlockSize, long DataBlocks, long DataBytes, int Members, ulong? LabelId = null)
{
    /// <summary>The file id its HDR1 carries.</summary>
    [JsonIgnore]
    public ulong HeaderFileId => LabelId ?? (ulong)Id;

    /// <summary>Whether it is an aggregation (IL or tar payload).</summary>
    [JsonIgnore]
    public bool IsAggregation => Kind is "il" or "tar";
}

/// <summary>A tape of a pool and how far it is written.</summary>
/// <param name="Vsn">Its VSN.</param>
/// <param name="Pool">Its pool.</param>
/// <param name="Unlabelled">An NL tape.</param>
/// <param name="LastFseq">The last tape file written.</param>
/// <param name="WriteDisabled">No more writes: the tape is full, or a write error made it suspect (its recorded files stay readable).</param>
/// <param name="Full">Writes stopped because the tape reached early warning.</param>
public sealed record NsTape(string Vsn, string Pool, bool Unlabelled, long LastFseq, bool WriteDisabled = false, bool Full = false);

/// <summary>
/// The gateway's small name server: files, their tape segments, tape files and tapes, kept in memory and saved as one
/// JSON file under the gateway's root, so that the operator commands of one invocation see what another wrote.
/// </summary>
public sealed class NameServer
{
    private readonly Dictionary<long, NsFile> _files = [];
    private readonly Dictionary<long, List<NsSegment>> _segments = [];
    private readonly Dictionary<long, NsTapeFile> _tapeFiles = [];
    private readonly Dictionary<string, NsTape> _tapes = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<NsSegment>> _byTapeFile = [];

    /// <summary>The files.</summary>
    public IReadOnlyDictionary<long, NsFile> Files => _files;

    /// <summary>The tapes by VSN.</summary>
    public IReadOnlyDictionary<string, NsTape> Tapes => _tapes;

    /// <summary>The tape files by id.</summary>
    public IReadOnlyDictionary<long, NsTapeFile> TapeFiles => _tapeFiles;

    /// <summary>The next free file id.</summary>
    public long NextFileId => _files.Count == 0 ? 1 : _files.Keys.Max() + 1;

    /// <summary>The next free tape file id.</summary>
    public long NextTapeFileId { get; private set; } = 1;

    /// <summary>Adds a file.</summary>
    /// <param name="file">The file.</param>
    public void AddFile(NsFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _files.Add(file.FileId, file);
    }

    /// <summary>Adds a tape.</summary>
    /// <param name="tape">The tape.</param>
    public void AddTape(NsTape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        _tapes.Add(tape.Vsn, tape);
    }

    /// <summary>Stops writes to a tape (full, or after a write error); what it holds stays readable.</summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="full">Because it is full.</param>
    public void DisableWrites(string vsn, bool full = false) => _tapes[vsn] = _tapes[vsn] with { WriteDisabled = true, Full = full };

    /// <summary>Takes a tape file id.</summary>
    public long AllocateTapeFileId() => NextTapeFileId++;

    /// <summary>
    /// Records a tape file written and synchronised, with the segments of its files, and moves its tape's last fseq. A
    /// segment for a copy the file has as a damaged segment is its repair: the damaged segment is replaced.
    /// </summary>
    /// <param name="tapeFile">The tape file.</param>
    /// <param name="segments">Its files' segments.</param>
    /// <exception cref="InvalidOperationException">A file already has a good copy of that number: it would be archived twice.</exception>
    public void RecordTapeFile(NsTapeFile tapeFile, IEnumerable<NsSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(tapeFile);
        ArgumentNullException.ThrowIfNull(segments);
        NsSegment[] held = [.. segments];
        foreach (NsSegment s in held.Where(s => !s.Replaced))
        {
            if (SegmentsOf(s.FileId).FirstOrDefault(o => o.CopyNb == s.CopyNb) is { Damaged: false } good)
            {
                throw new InvalidOperationException($"File {s.FileId} already has copy {s.CopyNb} in tape file {good.TapeFileId}; tape file {tapeFile.Id} cannot record it again.");
            }
        }

        _tapeFiles.Add(tapeFile.Id, tapeFile);
        NextTapeFileId = Math.Max(NextTapeFileId, tapeFile.Id + 1);
        _byTapeFile[tapeFile.Id] = [.. held];
        foreach (NsSegment s in held.Where(s => !s.Replaced))
        {
            if (!_segments.TryGetValue(s.FileId, out List<NsSegment>? list))
            {
                _segments[s.FileId] = list = [];
            }

            int damaged = list.FindIndex(o => o.CopyNb == s.CopyNb);
            if (damaged >= 0)
            {
                Retire(list[damaged]);
                list.RemoveAt(damaged);
            }

            list.Add(s);
        }

        NsTape tape = _tapes[tapeFile.Vsn];
        _tapes[tapeFile.Vsn] = tape with { LastFseq = Math.Max(tape.LastFseq, tapeFile.Fseq) };
    }

    /// <summary>The segments (tape copies) of a file.</summary>
    /// <param name="fileId">The file.</param>
    public IReadOnlyList<NsSegment> SegmentsOf(long fileId) => _segments.TryGetValue(fileId, out List<NsSegment>? list) ? list : [];

    /// <summary>Whether a file has a good (not damaged) tape copy <paramref name="copyNb"/>.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="copyNb">The copy number.</param>
    public bool HasCopy(long fileId, int copyNb) => SegmentsOf(fileId).Any(s => s.CopyNb == copyNb && !s.Damaged);

    /// <summary>The damaged copies no repair has replaced yet.</summary>
    public IEnumerable<NsSegment> DamagedCopies => _segments.Values.SelectMany(l => l).Where(s => s.Damaged);

    /// <summary>A damaged segment a repair replaced stays on its tape file, marked replaced.</summary>
    private void Retire(NsSegment damaged)
    {
        List<NsSegment> held = _byTapeFile[damaged.TapeFileId];
        held[held.FindIndex(s => s.FileId == damaged.FileId)] = damaged with { Replaced = true };
    }

    /// <summary>Marks a file's copy as damaged (a recall read it wrong or could not read it).</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="copyNb">The copy.</param>
    public void MarkDamaged(long fileId, int copyNb)
    {
        List<NsSegment> list = _segments[fileId];
        int i = list.FindIndex(s => s.CopyNb == copyNb);
        NsSegment damaged = list[i] with { Damaged = true };
        list[i] = damaged;
        List<NsSegment> held = _byTapeFile[damaged.TapeFileId];
        held[held.FindIndex(s => s.FileId == fileId)] = damaged;
    }

    /// <summary>Whether a file has a tape copy.</summary>
    /// <param name="fileId">The file.</param>
    public bool IsOnTape(long fileId) => _segments.ContainsKey(fileId);

    /// <summary>The tape files of a tape, in fseq order.</summary>
    /// <param name="vsn">The tape.</param>
    public IReadOnlyList<NsTapeFile> TapeFilesOn(string vsn) => [.. _tapeFiles.Values.Where(t => t.Vsn == vsn).OrderBy(t => t.Fseq)];

    /// <summary>The segments held by one tape file, in member order (replaced ones too: the tape still holds them).</summary>
    /// <param name="tapeFileId">The tape file.</param>
    public IReadOnlyList<NsSegment> SegmentsIn(long tapeFileId) =>
        _byTapeFile.TryGetValue(tapeFileId, out List<NsSegment>? held) ? [.. held.OrderBy(s => s.MemberIndex)] : [];

    /// <summary>
    /// Saves to <paramref name="path"/>: written aside and synced, renamed over the old file, and the rename synced, so that
    /// a crash at any point leaves the old state or the new one whole, never a file that names tape copies half-written.
    /// </summary>
    /// <param name="path">The file.</param>
    public void Save(string path)
    {
        var state = new NameServerState([.. _files.Values.OrderBy(f => f.FileId)], [.. _tapes.Values.OrderBy(t => t.Vsn, StringComparer.Ordinal)],
            [.. _tapeFiles.Values.OrderBy(t => t.Id)], [.. _byTapeFile.Values.SelectMany(l => l).OrderBy(s => s.FileId).ThenBy(s => s.CopyNb).ThenBy(s => s.TapeFileId)]);
        string temporary = path + ".new";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, state, NameServerJson.Default.NameServerState);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
        TapeKit.IO.DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Loads from <paramref name="path"/>, or an empty name server when there is no such file.</summary>
    /// <param name="path">The file.</param>
    public static NameServer Load(string path)
    {
        var ns = new NameServer();
        if (!File.Exists(path))
        {
            return ns;
        }

        NameServerState state = JsonSerializer.Deserialize(File.ReadAllText(path), NameServerJson.Default.NameServerState)
            ?? throw new InvalidDataException($"The name server file {path} is empty.");
        foreach (NsFile f in state.Files)
        {
            ns.AddFile(f);
        }

        foreach (NsTape t in state.Tapes)
        {
            ns._tapes[t.Vsn] = t;
        }

        var byTapeFile = state.Segments.ToLookup(s => s.TapeFileId);
        foreach (NsTapeFile tf in state.TapeFiles)
        {
            NsTape tape = ns._tapes[tf.Vsn];
            ns.RecordTapeFile(tf, byTapeFile[tf.Id]);
            ns._tapes[tf.Vsn] = tape; // The saved last fseq is the truth (it already counts every tape file).
        }

        return ns;
    }
}

/// <summary>The name server's saved form.</summary>
/// <param name="Files">Files.</param>
/// <param name="Tapes">Tapes.</param>
/// <param name="TapeFiles">Tape files.</param>
/// <param name="Segments">Segments.</param>
public sealed record NameServerState(IReadOnlyList<NsFile> Files, IReadOnlyList<NsTape> Tapes, IReadOnlyList<NsTapeFile> TapeFiles, IReadOnlyList<NsSegment> Segments);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(NameServerState))]
internal sealed partial class NameServerJson : JsonSerializerContext;
