using TapeKit.Layout;

namespace TapeKit.Tests.Layout;

/// <summary>The bounded overwrite of F11.3: only the failed files the caller accounts for may be overwritten.</summary>
public sealed class AppendOverFailedFilesTests
{
    private const int S = 4096;

    [Fact]
    public void Failed_files_the_caller_accounts_for_are_overwritten_and_the_committed_file_is_kept()
    {
        using var rig = new TapeRig();
        byte[] committed = TapeRig.Data(3 * S, 1);
        WriteFiles(rig, committed, TapeRig.Data(S, 2), TapeRig.Data(S, 3)); // File 1 committed; 2 and 3 failed.

        using (AulAppendSession session = AulVolume.Mount(rig.Handle, "V12345").AppendOverFailedFiles(1, 3, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            Assert.Equal(2, session.WriteFile(9, new MemoryStream(TapeRig.Data(S, 4)), S).FileSequence);
        }

        AulVolume volume = AulVolume.Mount(rig.Handle, "V12345");
        Assert.Equal([1L, 2L], volume.Scan().Select(f => f.FileSequence));
        var copy = new MemoryStream();
        _ = volume.ReadFile(1, 1, copy);
        Assert.Equal(committed, copy.ToArray());
    }

    [Theory]
    [InlineData(1L, 1L)] // nothing accounted for: the strict check
    [InlineData(1L, 2L)] // file 3 is not accounted for
    [InlineData(0L, 2L)] // the catalogue says empty and knows two failed files; there are three
    public void A_file_the_caller_does_not_account_for_refuses_the_append_and_the_tape_is_untouched(long last, long lastFailed)
    {
        using var rig = new TapeRig();
        WriteFiles(rig, TapeRig.Data(S, 1), TapeRig.Data(S, 2), TapeRig.Data(S, 3));
        string before = rig.Dump();

        var e = Assert.Throws<UnsafeOperationException>(
            () => AulVolume.Mount(rig.Handle, "V12345").AppendOverFailedFiles(last, lastFailed, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks));

        Assert.Equal(UnsafeOperationKind.CatalogueBehindTape, e.Kind);
        Assert.Equal(before, rig.Dump());
    }

    [Fact]
    public void Failed_files_a_power_loss_took_before_their_sync_need_not_be_on_the_tape()
    {
        using var rig = new TapeRig();
        WriteFiles(rig, TapeRig.Data(S, 1));
        AulAppendSession lost = AulVolume.Mount(rig.Handle, "V12345").Append(1, TapeRig.Writer, TapeMarkPolicy.Buffered(10, 0));
        lost.WriteFile(2, new MemoryStream(TapeRig.Data(S, 2)), S);
        lost.WriteFile(3, new MemoryStream(TapeRig.Data(S, 3)), S);
        rig.Drive.PowerLoss();
        rig.Reopen();

        using (AulAppendSession session = AulVolume.Mount(rig.Handle, "V12345").AppendOverFailedFiles(1, 3, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            Assert.Equal(2, session.WriteFile(4, new MemoryStream(TapeRig.Data(S, 4)), S).FileSequence);
        }

        Assert.Equal([1L, 2L], AulVolume.Mount(rig.Handle, "V12345").Scan().Select(f => f.FileSequence));
    }

    private static void WriteFiles(TapeRig rig, params byte[][] files)
    {
        using AulAppendSession session = rig.Prelabel().Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks);
        for (int i = 0; i < files.Length; i++)
        {
            session.WriteFile((ulong)(i + 1), new MemoryStream(files[i]), S);
        }
    }
}
