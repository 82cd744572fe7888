namespace TapeKit.Hsm.Catalog;

/// <summary>
/// The store under a catalogue failed. Adapters translate their provider's errors into this (the provider's exception
/// is the inner exception), so hosts and the CLI decide by <see cref="Kind"/>, never by a provider's error number.
/// </summary>
public sealed class CatalogStoreException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">A sentence an operator understands, naming the store.</param>
    /// <param name="inner">The provider's exception.</param>
    public CatalogStoreException(CatalogStoreErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    /// <summary>What went wrong.</summary>
    public CatalogStoreErrorKind Kind { get; }

    /// <inheritdoc />
    public override bool IsTransient => Kind is CatalogStoreErrorKind.Busy or CatalogStoreErrorKind.SerializationFailure or CatalogStoreErrorKind.Unavailable;
}
