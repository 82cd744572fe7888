using System.Globalization;

namespace Chelonia;

/// <summary>A usage error: a bad or missing command-line argument (exit code 2).</summary>
public sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the argument.</param>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public UsageException()
        : base("Bad usage.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="inner">The cause.</param>
    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>The arguments of one command: <c>--name value</c> options and <c>--flag</c> switches; nothing positional.</summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private CommandLine(string command) => Command = command;

    /// <summary>The command (the first argument).</summary>
    public string Command { get; }

    /// <summary>Parses the arguments; <paramref name="flags"/> names the switches that take no value.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="flags">The switches.</param>
    /// <exception cref="UsageException">No command, a positional argument, a repeated option or a missing value.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args, params string[] flags)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count == 0 || args[0].StartsWith('-'))
        {
            throw new UsageException("Name a command: librarian, shepherd, bartender or demo.");
        }

        var line = new CommandLine(args[0]);
        for (int i = 1; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                throw new UsageException($"Unexpected argument '{a}': options are written --name value.");
            }

            string name = a[2..];
            if (line._values.ContainsKey(name))
            {
                throw new UsageException($"Option --{name} is given twice.");
            }

            if (flags.Contains(name))
            {
                line._values[name] = null;
            }
            else if (i + 1 < args.Count)
            {
                line._values[name] = args[++i];
            }
            else
            {
                throw new UsageException($"Option --{name} needs a value.");
            }
        }

        return line;
    }

    /// <summary>Whether a switch is given.</summary>
    /// <param name="name">Its name without dashes.</param>
    public bool Flag(string name)
    {
        _ = _used.Add(name);
        return _values.ContainsKey(name);
    }

    /// <summary>An option's text, or <paramref name="fallback"/>.</summary>
    /// <param name="name">Its name without dashes.</param>
    /// <param name="fallback">The value when it is not given.</param>
    public string? Text(string name, string? fallback = null)
    {
        _ = _used.Add(name);
        return _values.TryGetValue(name, out string? v) ? v : fallback;
    }

    /// <summary>A required option's text.</summary>
    /// <param name="name">Its name without dashes.</param>
    /// <exception cref="UsageException">It is missing.</exception>
    public string Required(string name) => Text(name) ?? throw new UsageException($"Option --{name} is required for '{Command}'.");

    /// <summary>A whole-number option within a range.</summary>
    /// <param name="name">Its name without dashes.</param>
    /// <param name="fallback">The value when it is not given.</param>
    /// <param name="min">The least value.</param>
    /// <param name="max">The greatest value.</param>
    /// <exception cref="UsageException">Not a whole number in range.</exception>
    public int Number(string name, int fallback, int min, int max)
    {
        string? text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min && v <= max
            ? v
            : throw new UsageException($"Option --{name} must be a whole number from {min} to {max}, not '{text}'.");
    }

    /// <summary>A duration option in seconds (decimals allowed) within a range.</summary>
    /// <param name="name">Its name without dashes.</param>
    /// <param name="fallback">The value when it is not given.</param>
    /// <exception cref="UsageException">Not a positive number of seconds up to a day.</exception>
    public TimeSpan Seconds(string name, TimeSpan fallback)
    {
        string? text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && v <= 86_400
            ? TimeSpan.FromSeconds(v)
            : throw new UsageException($"Option --{name} must be a number of seconds above 0 and at most 86400, not '{text}'.");
    }

    /// <summary>Refuses options the command did not read (a typo must not be ignored silently).</summary>
    /// <exception cref="UsageException">An option was not read.</exception>
    public void RejectUnknown()
    {
        foreach (string name in _values.Keys.Where(n => !_used.Contains(n)))
        {
            throw new UsageException($"Option --{name} is not known to '{Command}'.");
        }
    }
}
