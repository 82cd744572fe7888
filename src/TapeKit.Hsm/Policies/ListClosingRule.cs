using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Policies;

/// <summary>
/// The closing rules of an archive list (docs/hsm/overview.md#list-closing): bytes and count are never exceeded; age is counted
/// from the first member. The next due time is computed exactly, so timers fire on time under a virtual clock.
/// </summary>
internal static class ListClosingRule
{
    /// <summary>
    /// True when appending a member of <paramref name="size"/> bytes would exceed the list's byte or count limit, so
    /// the list must be closed first and the member opens the next list. An empty list always accepts a member
    /// (a single file above the limits is routed <c>Direct</c> by the selector, never split).
    /// </summary>
    /// <param name="list">The open list.</param>
    /// <param name="size">The next member's size.</param>
    public static bool WouldOverflow(FileListRecord list, long size)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.MemberCount > 0
            && (list.MemberBytes + size > list.Limits.MaxBytes || list.MemberCount + 1 > list.Limits.MaxFiles);
    }

    /// <summary>The reason to close the list now, or <see langword="null"/> while it stays open.</summary>
    /// <param name="list">The list, <c>FILLING</c>.</param>
    /// <param name="now">The current time.</param>
    public static CloseReason? ReasonToClose(FileListRecord list, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (list.MemberCount == 0)
        {
            return null;
        }

        if (list.MemberBytes >= list.Limits.MaxBytes)
        {
            return CloseReason.Bytes;
        }

        if (list.MemberCount >= list.Limits.MaxFiles)
        {
            return CloseReason.Count;
        }

        return DueAt(list) <= now ? CloseReason.Age : null;
    }

    /// <summary>When the age rule closes the list: <c>firstMemberAt + maxWaitingTime</c>; <see langword="null"/> while empty.</summary>
    /// <param name="list">The list.</param>
    public static DateTimeOffset? DueAt(FileListRecord list)
    {
        ArgumentNullException.ThrowIfNull(list);
        return list.FirstMemberAt is { } first ? first + list.Limits.MaxWaitingTime : null;
    }
}
