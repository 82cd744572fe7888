using System.Globalization;

namespace TapeGateway;

/// <summary>The options of an operator command.</summary>
/// <param name="Root">The gateway's root (--root).</param>
/// <param name="Mode">classic or tapekit (--mode).</param>
/// <param name="Files">A file count (--files).</param>
/// <param name="Vsn">A tape (--vsn).</param>
/// <param name="Rest">The arguments that are not options.</param>
public sealed record CommandArguments(string? Root, string? Mode, int? Files, string? Vsn, IReadOnlyList<string> Rest);

/// <summary>Parses the command line of the demo and the operator commands.</summary>
public static class CommandLine
{
    /// <summary>Parses <c>demo</c>'s options.</summary>
    /// <param name="args">The arguments after <c>demo</c>.</param>
    public static DemoArguments ParseDemo(ReadOnlySpan<string> args)
    {
        var result = new DemoArguments();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            result = name switch
            {
                "--json" => result with { Json = true },
                "--files" => result with { Files = Positive(name, Value(args, ref i)) },
                "--recalls" => result with { Recalls = Positive(name, Value(args, ref i)) },
                "--seed" => result with { Seed = Positive(name, Value(args, ref i)) },
                "--recall-hours" => result with { RecallHours = PositiveHours(name, Value(args, ref i)) },
                "--root" => result with { Root = Path.GetFullPath(Value(args, ref i)) },
                "--mode" => result with { Modes = [GatewayMode.Parse(Value(args, ref i)).Name] },
                _ => throw new ArgumentException($"unknown option '{name}' (known: --json, --files N, --recalls N, --recall-hours H, --seed S, --mode classic|tapekit, --root DIR)."),
            };
        }

        return result;
    }

    /// <summary>Parses an operator command's options; only those in <paramref name="known"/> are accepted.</summary>
    /// <param name="args">The arguments after the command.</param>
    /// <param name="known">The options the command takes.</param>
    public static CommandArguments Parse(ReadOnlySpan<string> args, params string[] known)
    {
        var result = new CommandArguments(null, null, null, null, []);
        var rest = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                rest.Add(name);
                continue;
            }

            if (!known.Contains(name))
            {
                throw new ArgumentException($"unknown option '{name}' (known: {string.Join(", ", known)}).");
            }

            string value = Value(args, ref i);
            result = name switch
            {
                "--root" => result with { Root = value },
                "--mode" => result with { Mode = value },
                "--files" => result with { Files = Positive(name, value) },
                _ => result with { Vsn = value },
            };
        }

        return result with { Rest = rest };
    }

    private static string Value(ReadOnlySpan<string> args, ref int index) =>
        index + 1 < args.Length ? args[++index] : throw new ArgumentException($"{args[index]} needs a value.");

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer, not '{text}'.");

    private static double PositiveHours(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive number of hours, not '{text}'.");
}
