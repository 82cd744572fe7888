// TapeLabelSets: writes the label sequences that CTA, CASTOR and TapeKit put on a tape, reads them
// back with the same checks CTA applies at mount, read and append time, and prints what it found.
// With --out DIR it also writes each set as a file of newline-separated 80-byte labels, the form
// `tapekit label decode` reads.
using System.Globalization;
using TapeKit;
using TapeKit.Labels;
using TapeLabelSets;

string? outDir = args.Length == 2 && args[0] == "--out" ? args[1] : null;
if (args.Length != 0 && outDir is null)
{
    Console.Error.WriteLine("usage: TapeLabelSets [--out DIR]");
    return 2;
}

var clock = new FixedClock(new DateTimeOffset(2024, 5, 2, 10, 0, 0, TimeSpan.Zero));
TapeFile[] files = [new(0x1A2B, 42), new(0x1A2C, 100), new(0xA1B2C3D4E5F60718, 1234)];
LabelSet[] sets =
[
    LabelSet.Write("cta-tape", "V12345", Writer(LabelProfile.Cta("5.11.2.0"), "IBM", "ULT3580-TD9", "1013005289"), files, compressed: true),
    LabelSet.Write("castor-tape", "I10001", Writer(LabelProfile.Castor("2.1.15"), "IBM", "03592E08", "0000078AB123"), files[..2], compressed: false),
    LabelSet.Write("tapekit-tape", "TK0001", Writer(LabelProfile.ForTapeKit("1.0.0"), null, null, null), files, compressed: false),
    LabelSet.Prelabelled("tapekit-prelabelled", "TK0002", Writer(LabelProfile.ForTapeKit("1.0.0"), null, null, null)),
];

int failures = 0;
Console.WriteLine($"{"label set",-22} {"VSN",-7} {"owner",-8} {"labels",6} {"files",5}  checks");
foreach (LabelSet set in sets)
{
    string result;
    try
    {
        result = set.Check();
    }
    catch (TapeFormatException e)
    {
        result = "FAILED: " + e.Message;
        failures++;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{set.Name,-22} {set.Vsn,-7} {set.Owner,-8} {set.Labels.Count,6} {set.FileCount,5}  {result}"));
    if (outDir is not null)
    {
        Directory.CreateDirectory(outDir);
        set.WriteFile(Path.Combine(outDir, set.Name + ".labels"));
    }
}

// A tape whose catalogue is one file behind: the append check must refuse it.
LabelSet cta = sets[0];
try
{
    cta.CheckAppendAfter(files.Length - 1);
    Console.WriteLine("append check: NOT refused (wrong)");
    failures++;
}
catch (TapeFormatException e)
{
    Console.WriteLine("append check with a stale catalogue refused: " + e.Message);
}

return failures == 0 ? 0 : 1;

LabelWriter Writer(LabelProfile profile, string? vendor, string? product, string? serial) => new(new LabelWriterOptions
{
    Profile = profile,
    Clock = clock,
    Site = "CERN",
    HostName = "tpsrv001.cern.ch",
    DriveVendor = vendor,
    DriveProduct = product,
    DriveSerial = serial,
});
