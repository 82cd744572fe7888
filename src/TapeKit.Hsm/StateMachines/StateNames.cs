using System.Text;

namespace TapeKit.Hsm.StateMachines;

/// <summary>
/// The catalogue's text form of states: capitalised with underscores, as Enstore stores them
/// (<c>CacheStatus.StagingRequested</c> ↔ <c>STAGING_REQUESTED</c>).
/// </summary>
public static class StateNames
{
    /// <summary>The capitalised name of an enum value.</summary>
    /// <typeparam name="T">The enum type.</typeparam>
    /// <param name="value">The value.</param>
    public static string Of<T>(T value) where T : struct, Enum
    {
        string name = value.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (i > 0 && char.IsUpper(c))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    /// <summary>Parses a capitalised name back into the enum value.</summary>
    /// <typeparam name="T">The enum type.</typeparam>
    /// <param name="text">The text, e.g. <c>STAGING_REQUESTED</c>.</param>
    /// <exception cref="FormatException">The text names no value of <typeparamref name="T"/>.</exception>
    public static T Parse<T>(string text) where T : struct, Enum
    {
        ArgumentNullException.ThrowIfNull(text);
        return Enum.TryParse(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out T value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"'{text}' is not a {typeof(T).Name}.");
    }
}
