using System.Globalization;
using TapeKit;
using TapeKit.Devices;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tapes;
using TapeKit.Labels;

namespace TapeGateway;

/// <summary>
/// Puts a tape written by another system into the gateway: a label set (VOL1, then per file HDR1 HDR2 UHL1 and EOF1 EOF2
/// UTL1, 80 bytes a line, as <c>samples/TapeLabelSets</c> ships CASTOR's and CTA's) is written to a new cartridge exactly
/// as it is, each file's data blocks filled from the disk pool's virtual contents, and the files are recorded in the
/// name server with their block ids — so that <c>dump</c>, <c>verify</c> and recalls read labels another writer made.
/// </summary>
public static class LabelSetImport
{
    /// <summary>Imports a label set as a cartridge of pool <paramref name="pool"/>.</summary>
    /// <param name="world">The tape world.</param>
    /// <param name="labelsPath">The label set file.</param>
    /// <param name="pool">The pool the tape joins.</param>
    /// <param name="ct">Cancels waiting for a drive.</param>
    /// <returns>The tape's VSN.</returns>
    public static async Task<string> ImportAsync(TapeWorld world, string labelsPath, string pool, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(world);
        byte[][] labels = [.. File.ReadAllBytes(labelsPath).Chunk(81).Select(l => l[..80])];
        Vol1Label volume = Vol1Label.Parse(labels[0], LabelReadMode.Strict, out _);
        string vsn = volume.Vsn;
        if ((labels.Length - 1) % 6 != 0)
        {
            throw new ArgumentException($"{labelsPath}: after VOL1, labels come in groups of six (HDR1 HDR2 UHL1 EOF1 EOF2 UTL1).");
        }

        if (world.Names.Tapes.ContainsKey(vsn))
        {
            throw new ArgumentException($"Tape {vsn} is already known to the name server.");
        }

        // What the labels say each file is: its HDR1 id, its block size (UHL1), its block count (EOF1).
        var files = new List<(FileLabelGroup Headers, int BlockSize, long Blocks, long FileId)>();
        for (int i = 0; i < (labels.Length - 1) / 6; i++)
        {
            FileLabelGroup headers = FileLabelGroup.Parse(labels[1 + (6 * i)], labels[2 + (6 * i)], labels[3 + (6 * i)], header: true, LabelReadMode.Strict, out _);
            FileLabelGroup trailers = FileLabelGroup.Parse(labels[4 + (6 * i)], labels[5 + (6 * i)], labels[6 + (6 * i)], header: false, LabelReadMode.Strict, out _);
            if (!headers.Label1.TryGetFileId(out ulong labelId))
            {
                throw new ArgumentException($"{labelsPath}: file {i + 1} has no hexadecimal file id in HDR1.");
            }

            int blockSize = AulChecks.CheckHeaders(headers, labelId, vsn, i + 1);
            long blocks = trailers.Label1.BlockCount ?? throw new ArgumentException($"{labelsPath}: file {i + 1} has no EOF1 block count.");
            files.Add((headers, blockSize, blocks, world.Names.NextFileId + i));
        }

        long[] tapeFileIds = [.. files.Select(_ => world.Names.AllocateTapeFileId())];
        world.CreateCartridge(vsn);
        world.Names.AddTape(new NsTape(vsn, pool, Unlabelled: false, LastFseq: 0));
        await world.RegisterTapeAsync(vsn, pool, ct);
        var written = new List<NsTapeFile>();
        await using (TapeMount mount = await world.MountAsync(vsn, MountMode.Write, RequestPriority.High, ct))
        {
            await mount.RunAsync(drive =>
            {
                drive.Rewind();
                drive.WriteBlock(labels[0]);
                for (int i = 0; i < files.Count; i++)
                {
                    (_, int blockSize, long blocks, long fileId) = files[i];
                    long header = drive.ReadPosition();
                    for (int l = 0; l < 3; l++)
                    {
                        drive.WriteBlock(labels[1 + (6 * i) + l]);
                    }

                    drive.WriteFilemarks(1);
                    byte[] block = new byte[blockSize];
                    for (long b = 0; b < blocks; b++)
                    {
                        VirtualPayload.Fill(world.Options.PayloadSeed, fileId, b * blockSize, block);
                        drive.WriteBlock(block);
                    }

                    drive.WriteFilemarks(1);
                    for (int l = 3; l < 6; l++)
                    {
                        drive.WriteBlock(labels[1 + (6 * i) + l]);
                    }

                    drive.WriteFilemarks(1);
                    ulong labelId = files[i].Headers.Label1.TryGetFileId(out ulong id) ? id : 0;
                    written.Add(new NsTapeFile(tapeFileIds[i], vsn, i + 1, header, header + 4, "aul", blockSize, blocks, blocks * blockSize, 1, labelId));
                }

                drive.Synchronize();
            }, ct);
        }

        foreach ((NsTapeFile tf, (_, _, _, long fileId)) in written.Zip(files))
        {
            world.Names.AddFile(new NsFile(fileId, string.Create(CultureInfo.InvariantCulture, $"/castor/imported/{vsn}/{tf.Fseq}"), pool, tf.DataBytes));
            world.Names.RecordTapeFile(tf, [new NsSegment(fileId, 1, tf.Id, 0, 0, 0, 0, 0, 0)]);
        }

        await world.MarkWrittenAsync(vsn, ct);
        world.Save();
        return vsn;
    }
}
