// TapeRoundTrip: small files onto a virtual LTO-9 cartridge and back, the way TapeKit is meant to
// be used. It labels a cartridge, writes 2000 small files as ALB aggregations (tar and IL payloads)
// with CTA-style buffered tape marks, plus a few plain AUL files; forgets everything; rebuilds the
// catalogue from the tape alone; then recalls 100 random files by locating straight to their
// blocks, verifying every byte. Simulated drive time comes from the media profile: nothing sleeps.
using System.Diagnostics;
using System.Globalization;
using TapeKit.Aggregation;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Labels;
using TapeKit.Layout;

const int Files = 2000, Recalls = 100, BlockSize = 262144;
var wall = Stopwatch.StartNew();
var random = new Random(20261123);
string root = Path.Combine(Path.GetTempPath(), "tapekit-roundtrip-" + Guid.NewGuid().ToString("N"));
string cartridge = Path.Combine(root, "RT0001");
Directory.CreateDirectory(root);
try
{
    // Log-uniform sizes between 4 KiB and 1 MiB, like a disk cache full of small files.
    var files = new Dictionary<string, byte[]>();
    for (int i = 0; i < Files; i++)
    {
        byte[] data = new byte[(int)Math.Exp(random.NextDouble() * (Math.Log(1 << 20) - Math.Log(4 << 10)) + Math.Log(4 << 10))];
        random.NextBytes(data);
        files[$"user{i % 17:D2}/run{i / 100:D3}/file{i:D5}.dat"] = data;
    }

    VirtualCartridge.Create(cartridge, "RT0001", MediaProfile.Lto9, new VirtualCartridgeOptions { Capacity = 64L << 30 });
    var clock = new VirtualClock();
    using var drive = new VirtualTapeDrive(VirtualTapeDrive.DefaultOptions, clock, MediaProfile.Lto9);
    drive.InsertCartridge(cartridge);
    var writer = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "DEMO", HostName = "mover01" });

    // Write: 1000 files per ALB file, tar for the first half, IL for the second; three plain AUL files.
    long writeStart, writeEnd;
    using (ITapeDrive handle = drive.OpenHandle())
    {
        AulVolume volume = AulVolume.Prelabel(handle, writer, "RT0001");
        using AulAppendSession session = volume.Append(0, writer, TapeMarkPolicy.CtaDefault);
        writeStart = clock.Nanoseconds;
        var names = files.Keys.ToList();
        for (int first = 0; first < names.Count; first += 1000)
        {
            var members = names.Skip(first).Take(1000).Select(n => MemberSource.FromMemory(files[n], n));
            session.WriteAggregation((ulong)first + 0x1000, members, first < Files / 2 ? AggregationFormat.Tar : AggregationFormat.Il, BlockSize, clock);
        }

        foreach (int i in new[] { 1, 2, 3 })
        {
            session.WriteFile((ulong)i, new MemoryStream(files[names[i]]), BlockSize);
        }

        session.Flush();
        writeEnd = clock.Nanoseconds;
    }

    // Forget everything: the catalogue comes back from the tape's labels and payloads alone.
    using ITapeDrive reader = drive.OpenHandle();
    AulVolume mounted = AulVolume.Mount(reader, "RT0001");
    IReadOnlyList<TapeFileInfo> catalogue = mounted.Scan(withMembers: true);
    var index = catalogue.SelectMany(f => f.Members.Select(m => (File: f, Member: m))).ToDictionary(x => x.Member.Name);

    // Recall random files by locating to their first block; verify every byte.
    long recallStart = clock.Nanoseconds, blocksRead = 0, verified = 0;
    foreach (string name in index.Keys.OrderBy(_ => random.Next()).Take(Recalls).OrderBy(n => index[n].File.MemberObjectId(index[n].Member)))
    {
        (TapeFileInfo file, AggregationMember member) = index[name];
        var copy = new MemoryStream();
        mounted.ReadMember(file, file.Payload == PayloadKind.Il ? AggregationFormat.Il : AggregationFormat.Tar, member, copy);
        blocksRead += mounted.LastMemberSource!.BlocksRead;
        verified += copy.ToArray().AsSpan().SequenceEqual(files[name]) ? 1 : 0;
    }

    double writeSeconds = (writeEnd - writeStart) / 1e9, recallSeconds = (clock.Nanoseconds - recallStart) / 1e9;
    long payload = files.Values.Sum(f => (long)f.Length) + catalogue.Where(f => f.Payload == PayloadKind.Opaque).Sum(f => f.DataBytes);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
        tape RT0001 (LTO-9, {MediaProfile.Lto9.NativeRate / 1e6:F0} MB/s native)
          files written            {Files} in {catalogue.Count(f => f.Payload != PayloadKind.Opaque)} ALB files (tar and IL) + {catalogue.Count(f => f.Payload == PayloadKind.Opaque)} AUL files
          payload                  {payload / 1e9:F2} GB
          simulated write time     {writeSeconds:F1} s ({payload / writeSeconds / 1e6:F0} MB/s, efficiency {payload / (writeSeconds * MediaProfile.Lto9.NativeRate):P1})
          catalogue rebuilt        {catalogue.Count} tape files, {index.Count} members, from the tape alone
          files recalled           {Recalls}, verified {verified}, blocks read {blocksRead}
          simulated recall time    {recallSeconds:F1} s (one locate per file, ordered by position)
          wall time                {wall.Elapsed.TotalSeconds:F1} s
        """));
    return verified == Recalls && index.Count == Files ? 0 : 1;
}
finally
{
    Directory.Delete(root, recursive: true);
}
