using System.Globalization;
using TapeKit.Labels;

namespace TapeLabelSets;

/// <summary>
/// The labels of one tape in the order they are written (tape marks and data blocks left out):
/// VOL1, then per file HDR1 HDR2 UHL1 … EOF1 EOF2 UTL1 (docs/formats/aul.md#1-what-is-on-the-tape).
/// </summary>
internal sealed class LabelSet
{
    private const int BlockSize = 262144;

    private readonly List<byte[]> _labels = [];
    private readonly List<TapeFile> _files = [];

    private LabelSet(string name, string vsn, string owner)
    {
        Name = name;
        Vsn = vsn;
        Owner = owner;
    }

    public string Name { get; }

    public string Vsn { get; }

    public string Owner { get; }

    public IReadOnlyList<byte[]> Labels => _labels;

    public int FileCount => _files.Count;

    public static LabelSet Write(string name, string vsn, LabelWriter writer, IEnumerable<TapeFile> files, bool compressed)
    {
        var set = new LabelSet(name, vsn, writer.Profile.OwnerId);
        set.Add(writer.Volume(vsn).WriteTo);
        long fseq = 0;
        foreach (TapeFile file in files)
        {
            fseq++;
            FileLabelGroup headers = writer.Headers(file.FileId, vsn, fseq, BlockSize, compressed);
            FileLabelGroup trailers = headers.ToTrailers(file.Blocks);
            set.Add(headers.Label1.WriteTo);
            set.Add(headers.Label2.WriteTo);
            set.Add(headers.UserLabel.WriteTo);
            set.Add(trailers.Label1.WriteTo);
            set.Add(trailers.Label2.WriteTo);
            set.Add(trailers.UserLabel.WriteTo);
            set._files.Add(file);
        }

        return set;
    }

    public static LabelSet Prelabelled(string name, string vsn, LabelWriter writer)
    {
        var set = new LabelSet(name, vsn, writer.Profile.OwnerId);
        set.Add(writer.Volume(vsn).WriteTo);
        set.Add(writer.Prelabel(vsn).WriteTo);
        return set;
    }

    /// <summary>Reads the set back as CTA would: mount check, then each file's header and trailer checks, then the append check.</summary>
    public string Check()
    {
        AulChecks.CheckVolume(_labels[0], Vsn, LabelReadMode.Strict, out _);
        if (_files.Count == 0)
        {
            Hdr1Label.ParsePrelabel(_labels[1], LabelReadMode.Strict, out _);
            return "mount ok, PRELABEL ok, empty tape";
        }

        for (int i = 0; i < _files.Count; i++)
        {
            FileLabelGroup headers = Group(i, header: true);
            int blockSize = AulChecks.CheckHeaders(headers, _files[i].FileId, Vsn, i + 1);
            FileLabelGroup trailers = Group(i, header: false);
            AulChecks.CheckBlockCount(trailers.Label1, _files[i].Blocks, LabelReadMode.Strict);
            if (blockSize != BlockSize)
            {
                throw new InvalidOperationException("UHL1 block size differs from the one written.");
            }
        }

        CheckAppendAfter(_files.Count);
        return string.Create(CultureInfo.InvariantCulture, $"mount ok, {_files.Count} files read ok, append after fseq {_files.Count} ok");
    }

    public void CheckAppendAfter(long lastFileSequence) =>
        AulChecks.CheckAppendTrailers(Group(_files.Count - 1, header: false), lastFileSequence);

    public void WriteFile(string path)
    {
        using var file = File.Create(path);
        foreach (byte[] label in _labels)
        {
            file.Write(label);
            file.WriteByte((byte)'\n');
        }
    }

    private FileLabelGroup Group(int fileIndex, bool header)
    {
        int first = 1 + (fileIndex * 6) + (header ? 0 : 3);
        return FileLabelGroup.Parse(_labels[first], _labels[first + 1], _labels[first + 2], header, LabelReadMode.Strict, out _);
    }

    private void Add(Action<Span<byte>> write)
    {
        byte[] label = new byte[80];
        write(label);
        _labels.Add(label);
    }
}
