namespace TapeKit.Hsm.Model;

/// <summary>
/// The claim a list attempt holds on a file (<c>archiveClaim</c>, docs/hsm/rules.md#file-archive-status-a1a5, A1): the list id and the
/// attempt number that serves as fencing token (docs/hsm/rules.md#rules-common-to-every-machine-r1r7 R4).
/// </summary>
/// <param name="ListId">The claiming list.</param>
/// <param name="Attempt">The list's attempt when it claimed.</param>
public readonly record struct ListClaim(Guid ListId, int Attempt)
{
    /// <inheritdoc />
    public override string ToString() => $"{ListId:N}#{Attempt}";
}
