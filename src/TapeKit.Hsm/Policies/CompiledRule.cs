using System.Text.RegularExpressions;

namespace TapeKit.Hsm.Policies;

/// <summary>A rule with its patterns compiled anchored, culture-invariant and non-backtracking.</summary>
internal sealed class CompiledRule
{
    private static readonly string[] NamedAttributeOrder =
        [Model.HsmFileAttributes.StorageGroupName, Model.HsmFileAttributes.FileFamilyName, Model.HsmFileAttributes.WrapperName];

    public CompiledRule(PolicyRule rule, int position)
    {
        Rule = rule;
        Position = position;
        // Key order: the three Enstore attributes first (as Enstore's policy string), then others ordinally.
        Patterns = rule.Match
            .Where(pair => pair.Key != Model.HsmFileAttributes.LibraryName)
            .OrderBy(pair => Array.IndexOf(NamedAttributeOrder, pair.Key) is var i and >= 0 ? i : NamedAttributeOrder.Length)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => (pair.Key, pair.Value, Compile(pair.Value)))
            .ToArray();
        LibraryPattern = rule.Match.TryGetValue(Model.HsmFileAttributes.LibraryName, out string? lib) ? (lib, Compile(lib)) : null;
    }

    public PolicyRule Rule { get; }

    public int Position { get; }

    public (string Attribute, string Pattern, Regex Regex)[] Patterns { get; }

    public (string Pattern, Regex Regex)? LibraryPattern { get; }

    public bool IsCatchAll => Patterns.Length == 0 && LibraryPattern is null;

    public static Regex Compile(string pattern) =>
        new($"^(?:{pattern})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
}
