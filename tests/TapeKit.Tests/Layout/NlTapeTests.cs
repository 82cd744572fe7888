using TapeKit.Layout;

namespace TapeKit.Tests.Layout;

public sealed class NlTapeTests
{
    [Fact]
    public void Nl_files_round_trip_and_end_with_two_marks()
    {
        using var rig = new TapeRig();
        byte[] a = TapeRig.Data(10_000, 1), b = TapeRig.Data(4096, 2), c = TapeRig.Data(1, 3);
        Assert.Equal(1, NlTape.AppendFile(rig.Handle, 0, new MemoryStream(a), 4096).FileSequence);
        Assert.Equal(2, NlTape.AppendFile(rig.Handle, 1, new MemoryStream(b), 4096).FileSequence);
        TapeFileInfo third = NlTape.AppendFile(rig.Handle, 2, new MemoryStream(c), 4096);
        Assert.Equal((3L, 1L), (third.FileSequence, third.DataBlocks));

        var copy = new MemoryStream();
        NlTape.ReadFile(rig.Handle, 1, copy);
        Assert.Equal(a, copy.ToArray());
        copy.SetLength(0);
        NlTape.ReadFile(rig.Handle, 3, copy);
        Assert.Equal(c, copy.ToArray());

        IReadOnlyList<TapeFileInfo> files = NlTape.Scan(rig.Handle);
        Assert.Equal([3L, 1L, 1L], files.Select(f => f.DataBlocks));
        Assert.Equal([10_000L, 4096L, 1L], files.Select(f => f.DataBytes));
        Assert.Throws<TapeFormatException>(() => NlTape.ReadFile(rig.Handle, 4, null));
    }

    [Fact]
    public void A_second_file_may_use_smaller_blocks_than_the_first()
    {
        // The label probe read the first block with a buffer of the new file's block size: a first file of larger blocks
        // made it fail with "a block larger than 512 bytes" (found while seeding the fuzz corpora).
        using var rig = new TapeRig();
        byte[] a = TapeRig.Data(3000, 1), b = TapeRig.Data(700, 2);
        NlTape.AppendFile(rig.Handle, 0, new MemoryStream(a), 1024);
        TapeFileInfo second = NlTape.AppendFile(rig.Handle, 1, new MemoryStream(b), 512);
        Assert.Equal((2L, 2L), (second.FileSequence, second.DataBlocks));
        var copy = new MemoryStream();
        NlTape.ReadFile(rig.Handle, 2, copy);
        Assert.Equal(b, copy.ToArray());
    }

    [Fact]
    public void Nl_writing_refuses_a_labelled_tape_and_a_stale_file_count()
    {
        using (var rig = new TapeRig())
        {
            rig.Prelabel();
            Assert.Throws<UnsafeOperationException>(() => NlTape.AppendFile(rig.Handle, 0, new MemoryStream([1, 2, 3]), 512));
        }

        using (var rig = new TapeRig())
        {
            NlTape.AppendFile(rig.Handle, 0, new MemoryStream(TapeRig.Data(100, 4)), 512);
            NlTape.AppendFile(rig.Handle, 1, new MemoryStream(TapeRig.Data(100, 5)), 512);
            Assert.Throws<UnsafeOperationException>(() => NlTape.AppendFile(rig.Handle, 0, new MemoryStream([1]), 512));
            Assert.Throws<UnsafeOperationException>(() => NlTape.AppendFile(rig.Handle, 1, new MemoryStream([1]), 512));
            Assert.Equal(2, NlTape.Scan(rig.Handle).Count);
            Assert.Throws<ArgumentException>(() => NlTape.AppendFile(rig.Handle, 2, new MemoryStream(), 512));
        }
    }

    [Fact]
    public void A_blank_tape_scans_as_empty()
    {
        using var rig = new TapeRig();
        Assert.Empty(NlTape.Scan(rig.Handle));
    }
}
