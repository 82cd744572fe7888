namespace TapeKit.Hsm;

/// <summary>
/// The base of TapeKit's HSM exceptions: catalogue and store errors, illegal transitions, unroutable and poison
/// messages, invalid policy sets and policy files, and drives that cannot be given for a cartridge. A host
/// catches this one type (or a subtype) around HSM calls and never a provider's own exception (a SQLite or PostgreSQL
/// error code): adapters translate those into <see cref="Catalog.CatalogStoreException"/> and its kinds.
/// </summary>
/// <remarks>
/// It derives from <see cref="InvalidOperationException"/>, as its first members did before the family existed, so code
/// that caught that type keeps working. <see cref="Policies.PolicyValidationException"/> (once an
/// <see cref="ArgumentException"/>), <see cref="Tapes.TapeMountException"/> (once an <see cref="IOException"/>) and
/// <see cref="Messaging.PoisonMessageException"/> (once a <see cref="FormatException"/>) joined it later: catch them by
/// their own type or as <see cref="HsmException"/>.
/// </remarks>
public abstract class HsmException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A sentence an operator understands.</param>
    /// <param name="inner">The provider's exception, if any.</param>
    protected HsmException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>
    /// True when running the same unit of work again may succeed (a lost optimistic race, a busy or restarted store):
    /// <see cref="Catalog.CatalogUnitOfWork"/> retries exactly these.
    /// </summary>
    public virtual bool IsTransient => false;
}
