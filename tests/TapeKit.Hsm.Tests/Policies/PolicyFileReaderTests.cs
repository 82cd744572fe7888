using System.Text;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Tests.Policies;

/// <summary>The strict policy-file reader: every host reads the format the same way, and a mistake is named, never defaulted.</summary>
public sealed class PolicyFileReaderTests
{
    [Fact]
    public void A_set_inside_appsettings_is_read_with_every_field()
    {
        PolicySet set = Parse("""
            { "TapeKit": { "Hsm": { "Policies": { "version": 12, "Rules": [
              { "Name": "lqcd", "Order": 10, "Match": { "storageGroup": "lqcd" }, "DiskLibrary": "DL", "Format": "il",
                "MaxBytes": "4000000000", "MaxWaitingTime": "1.00:00:00", "TapePool": "p", "CopyCount": 2, "Priority": "High", "CollocateBy": [ "dataset" ] },
              { "Name": "default", "DiskLibrary": "DL" }, ] } } } }
            """);

        Assert.Equal(12, set.Version);
        PolicyRule lqcd = set.Rules[0];
        Assert.Equal(("lqcd", 10, "lqcd", AggregationPayloadFormat.Il, 4_000_000_000L, TimeSpan.FromDays(1), "p", 2, RequestPriority.High, "dataset"),
            (lqcd.Name, lqcd.Order, lqcd.Match["storageGroup"], lqcd.Format, lqcd.MaxBytes, lqcd.MaxWaitingTime, lqcd.TapePool, lqcd.CopyCount, lqcd.Priority, lqcd.CollocateBy.Single()));
        Assert.Equal("default", set.Rules[1].Name);
    }

    [Theory]
    [InlineData("""{ "Rules": [ { "Name": "r", "DiskLibary": "DL" } ] }""", "rule #1 'r': unknown field \"DiskLibary\"")]
    [InlineData("""{ "Version": 1 }""", "the set has no \"Rules\" array")]
    [InlineData("""{ "Rules": [], "Extra": 1 }""", "unknown field \"Extra\" in the set")]
    [InlineData("""{ "Rules": [ { "Name": "r", "CopyCount": 2.5 } ] }""", "rule #1 'r': field \"CopyCount\" must be an integer of 32 bits, not 2.5")]
    [InlineData("""{ "Rules": [ { "Name": "r", "Format": "zip" } ] }""", "rule #1 'r': field \"Format\" is \"zip\"; expected one of Il, Tar")]
    [InlineData("""{ "Rules": [ { "Name": "r", "MaxWaitingTime": "soon" } ] }""", "rule #1 'r': field \"MaxWaitingTime\" is \"soon\", not a duration")]
    [InlineData("""{ "TapeKit": { "Hsm": 3 } }""", "\"TapeKit:Hsm\" must be an object")]
    public void A_mistake_is_a_policy_file_error_naming_the_rule_and_field(string json, string expected)
    {
        PolicyFileException e = Assert.Throws<PolicyFileException>(() => Parse(json));
        Assert.StartsWith("p.json: invalid policy file: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_that_is_not_json_is_a_policy_file_error()
    {
        PolicyFileException e = Assert.Throws<PolicyFileException>(() => Parse("{ \"Rules\": [ "));
        Assert.StartsWith("p.json: not valid JSON: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_no_text_inside_a_string_or_a_name_are_a_policy_file_error()
    {
        // Found by fuzzing (tests/TapeKit.Fuzz/regressions/policy): the JSON reader accepts any bytes inside strings, and
        // reading a name or value threw InvalidOperationException instead of PolicyFileException.
        byte[] badValue = [.. "{ \"Rules\": [ { \"Name\": \"a"u8, 0xC3, .. "(\", \"DiskLibrary\": \"d\" } ] }"u8];
        byte[] badName = [.. "{ \"Rules\": [ { \"N"u8, 0xFF, .. "ame\": \"a\", \"DiskLibrary\": \"d\" } ] }"u8];
        PolicyFileException value = Assert.Throws<PolicyFileException>(() => PolicyFileReader.Parse(badValue, "p.json"));
        Assert.Equal("p.json: not valid JSON: byte 25 starts no UTF-8 sequence.", value.Message);
        PolicyFileException name = Assert.Throws<PolicyFileException>(() => PolicyFileReader.Read(new MemoryStream(badName), "p.json"));
        Assert.Equal("p.json: not valid JSON: byte 17 starts no UTF-8 sequence.", name.Message);

        // Valid UTF-8 that escapes a lone surrogate is no text either.
        PolicyFileException surrogate = Assert.Throws<PolicyFileException>(() => Parse("{ \"Rules\": [ { \"Name\": \"a\\ud800\", \"DiskLibrary\": \"d\" } ] }"));
        Assert.StartsWith("p.json: invalid policy file: a name or string value is not valid text", surrogate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_validates_the_set_as_the_hsm_does_at_load()
    {
        // Well-formed, but the last rule is not a catch-all (spec/hsm.md §4.1).
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("""{ "Rules": [ { "Name": "only", "Match": { "library": "x" }, "DiskLibrary": "DL" } ] }"""));
        PolicyFileException e = Assert.Throws<PolicyFileException>(() => PolicyFileReader.Read(stream, "p.json"));
        Assert.IsType<PolicyValidationException>(e.InnerException);
        Assert.StartsWith("p.json: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_compiles_a_valid_set_into_its_selector()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("""{ "Version": 3, "Rules": [ { "Name": "all", "DiskLibrary": "DL" } ] }"""));
        (PolicySet set, PolicySelector selector) = PolicyFileReader.Read(stream, "p.json");
        Assert.Equal((3, "all"), (set.Version, selector.RuleNames.Single()));
    }

    private static PolicySet Parse(string json) => PolicyFileReader.Parse(Encoding.UTF8.GetBytes(json), "p.json");
}
