namespace TapeKit.Hsm.Catalog;

/// <summary>A catalogue constraint was violated (a duplicate key, a missing row, invariant I4); the transaction must be abandoned.</summary>
public sealed class CatalogConstraintException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was violated, in words.</param>
    /// <param name="inner">The provider's exception, if any.</param>
    public CatalogConstraintException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
