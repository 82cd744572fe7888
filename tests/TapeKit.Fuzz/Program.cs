using System.Globalization;
using SharpFuzz;
using TapeKit.Fuzz;

// TapeKit's fuzzing harness (docs/fuzzing.md).
//   TapeKit.Fuzz list                         the targets
//   TapeKit.Fuzz afl TARGET                   run under afl-fuzz (fuzz.sh starts it so)
//   TapeKit.Fuzz run TARGET PATH...           replay files or folders in-process; exit 1 on a finding
//   TapeKit.Fuzz replay [ROOT]                replay every target's corpus and regressions
//   TapeKit.Fuzz seed [ROOT]                  write the seed corpora to ROOT/corpus/TARGET/ (default: this project)
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("usage: TapeKit.Fuzz list | afl TARGET | run TARGET PATH... | replay [ROOT] | seed [ROOT]");
    return args.Length == 0 ? 2 : 0;
}

switch (args[0])
{
    case "list":
        foreach (FuzzTarget t in FuzzTargets.All)
        {
            Console.WriteLine($"{t.Name,-14} {t.Description}");
        }

        return 0;

    case "afl" when args.Length == 2:
    {
        FuzzTarget target = FuzzTargets.Get(args[1]);
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            target.Execute(buffer.ToArray());
        });
        return 0;
    }

    case "run" when args.Length >= 3:
    {
        FuzzTarget target = FuzzTargets.Get(args[1]);
        var files = args.Skip(2).SelectMany<string, string>(p => Directory.Exists(p) ? Directory.GetFiles(p).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal) : new[] { p }).ToList();
        return Report(files.Select(f => Replay.Run(target, f, TimeSpan.FromSeconds(10))));
    }

    case "replay":
    {
        string root = args.Length > 1 ? args[1] : ProjectRoot();
        var results = new List<ReplayResult>();
        foreach (FuzzTarget target in FuzzTargets.All)
        {
            results.AddRange(Replay.InputsOf(root, target.Name).Select(f => Replay.Run(target, f, TimeSpan.FromSeconds(10))));
        }

        return Report(results);
    }

    case "seed":
    {
        string root = args.Length > 1 ? args[1] : ProjectRoot();
        string vectors = Path.Combine(root, "..", "vectors", "vtape");
        foreach ((string target, int n) in Seeds.Write(root, vectors))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{target,-14} {n} seeds"));
        }

        return 0;
    }

    default:
        Console.Error.WriteLine($"TapeKit.Fuzz: unknown command '{string.Join(' ', args)}'; try --help.");
        return 2;
}

static int Report(IEnumerable<ReplayResult> results)
{
    int passed = 0, failed = 0;
    foreach (ReplayResult r in results)
    {
        if (r.Passed)
        {
            passed++;
        }
        else
        {
            failed++;
            Console.WriteLine(r);
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{passed} inputs clean, {failed} findings"));
    return failed == 0 ? 0 : 1;
}

// tests/TapeKit.Fuzz, found from the build output by walking up to TapeKit.sln.
static string ProjectRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "TapeKit.sln")))
        {
            return Path.Combine(dir.FullName, "tests", "TapeKit.Fuzz");
        }
    }

    throw new DirectoryNotFoundException("TapeKit.sln not found above " + AppContext.BaseDirectory + "; pass ROOT.");
}
