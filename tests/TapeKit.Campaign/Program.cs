// The fault campaign (issue 13): seeded faults against the SmallFilesCache site, checks after every case, a summary
// table with a replay command for every failure. See docs/reliability.md.
//   dotnet run --project tests/TapeKit.Campaign -c Release -- [--cases N] [--kills N] [--seed S] [--kinds ...] [--json]
using TapeKit.Campaign;

CampaignOptions options;
try
{
    options = CampaignOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"campaign: {e.Message}");
    Console.Error.WriteLine(CampaignOptions.Usage);
    return 2;
}

if (Unshare.Needed(options) && Unshare.TryRerun(args, out int code))
{
    return code;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
CampaignSummary summary = await CampaignRun.RunAsync(options, options.Json ? _ => { } : Console.Error.WriteLine, cancel.Token);
Console.WriteLine(options.Json ? summary.ToJson() : summary.ToText());
return summary.Failures.Any() ? 1 : 0;
