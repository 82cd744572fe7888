using TapeKit.Aggregation;
using TapeKit.Layout;
using TapeKit.Tests.Layout;

namespace TapeKit.Tests;

/// <summary>Every refusal carries the kind its callers decide by.</summary>
public sealed class UnsafeOperationKindTests
{
    private const int S = 4096;

    [Fact]
    public void The_constructor_without_a_kind_keeps_working_and_says_unclassified()
    {
        var e = new UnsafeOperationException("refused", "subject");
        Assert.Equal((UnsafeOperationKind.Unclassified, "subject"), (e.Kind, e.Subject));
        Assert.Equal(UnsafeOperationKind.WrongVolume, new UnsafeOperationException("refused", "vsn", UnsafeOperationKind.WrongVolume).Kind);
    }

    [Theory]
    [InlineData("link", AggregationEntryType.SymbolicLink, UnsafeOperationKind.LinkOrDevice)]
    [InlineData("dev", AggregationEntryType.CharacterDevice, UnsafeOperationKind.LinkOrDevice)]
    [InlineData("a\u0001b", AggregationEntryType.File, UnsafeOperationKind.ControlCharacters)]
    [InlineData("a\u007Fb", AggregationEntryType.File, UnsafeOperationKind.ControlCharacters)]
    [InlineData("../escape", AggregationEntryType.File, UnsafeOperationKind.PathEscapes)]
    [InlineData("a/../../escape", AggregationEntryType.File, UnsafeOperationKind.PathEscapes)]
    [InlineData("/etc/passwd", AggregationEntryType.File, UnsafeOperationKind.PathEscapes)]
    [InlineData("a//b", AggregationEntryType.File, UnsafeOperationKind.InvalidMemberName)]
    [InlineData("a\\b", AggregationEntryType.File, UnsafeOperationKind.InvalidMemberName)]
    public void Extraction_refusals_say_which_rule_the_member_breaks(string name, AggregationEntryType type, UnsafeOperationKind kind)
    {
        var entry = new AggregationEntry(name, type, 0, 0, 0, S);
        var e = Assert.Throws<UnsafeOperationException>(() => SafeExtractor.CheckSafe(entry, Path.GetTempPath().TrimEnd(Path.DirectorySeparatorChar)));
        Assert.Equal(kind, e.Kind);
    }

    [Fact]
    public void Volume_refusals_say_wrong_volume_or_that_the_medium_holds_data()
    {
        using var rig = new TapeRig();
        rig.Prelabel();
        Assert.Equal(UnsafeOperationKind.WrongVolume, Assert.Throws<UnsafeOperationException>(() => AulVolume.Mount(rig.Handle, "V99999")).Kind);
        Assert.Equal(UnsafeOperationKind.MediumHoldsData, Assert.Throws<UnsafeOperationException>(() => AulVolume.Prelabel(rig.Handle, TapeRig.Writer, "V12345")).Kind);
        Assert.Equal(UnsafeOperationKind.MediumHoldsData, Assert.Throws<UnsafeOperationException>(() => NlTape.AppendFile(rig.Handle, 0, new MemoryStream([1]), 512)).Kind);
    }

    [Fact]
    public void Reading_a_file_whose_headers_name_another_file_is_refused_as_the_wrong_tape_file()
    {
        using var rig = new TapeRig();
        using (AulAppendSession session = rig.Prelabel().Append(0, TapeRig.Writer, TapeMarkPolicy.SynchronousMarks))
        {
            session.WriteFile(0x11, new MemoryStream(TapeRig.Data(S, 1)), S);
        }

        var e = Assert.Throws<UnsafeOperationException>(() => AulVolume.Mount(rig.Handle, "V12345").ReadFile(1, 0x12, null));
        Assert.Equal(UnsafeOperationKind.WrongTapeFile, e.Kind);
    }
}
