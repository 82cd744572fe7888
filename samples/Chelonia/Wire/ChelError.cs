using System.Net;

namespace Chelonia.Wire;

/// <summary>
/// The body of every error answer: a stable code a program can test (<c>unknownTransfer</c>, <c>badPath</c>,
/// <c>checksumMismatch</c>, …), a sentence for a person, and what the error is about (a field, a path, an id).
/// </summary>
/// <param name="Error">The code.</param>
/// <param name="Detail">What went wrong, in words.</param>
/// <param name="Subject">What or where: the field, path or id at fault.</param>
public sealed record ChelError(string Error, string Detail, string? Subject = null);

/// <summary>An error answer from another Chelonia service, as its client sees it.</summary>
public sealed class ChelHttpException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="error">The error body (or one made up for an answer without one).</param>
    /// <param name="service">The service that answered.</param>
    public ChelHttpException(HttpStatusCode status, ChelError error, string service)
        : base($"{service} answered {(int)status} {error.Error}: {error.Detail}")
    {
        Status = status;
        Error = error;
    }

    /// <summary>Creates the exception (for serializers and tools).</summary>
    public ChelHttpException()
        : this(HttpStatusCode.InternalServerError, new ChelError("unknown", "No detail."), "a service")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public ChelHttpException(string message)
        : base(message) => Error = new ChelError("unknown", message);

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public ChelHttpException(string message, Exception inner)
        : base(message, inner) => Error = new ChelError("unknown", message);

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }

    /// <summary>The error body.</summary>
    public ChelError Error { get; }
}

/// <summary>Bad input found by a service before it did anything: answered 400 (or <see cref="Status"/>) with a <see cref="ChelError"/>.</summary>
public sealed class ChelInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">The code.</param>
    /// <param name="detail">What is wrong, in words.</param>
    /// <param name="subject">What or where.</param>
    /// <param name="status">The HTTP status (400 unless said).</param>
    public ChelInputException(string error, string detail, string? subject, HttpStatusCode status = HttpStatusCode.BadRequest)
        : base(detail)
    {
        Error = new ChelError(error, detail, subject);
        Status = status;
    }

    /// <summary>Creates the exception (for serializers and tools).</summary>
    public ChelInputException()
        : this("badInput", "Bad input.", null)
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public ChelInputException(string message)
        : this("badInput", message, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public ChelInputException(string message, Exception inner)
        : base(message, inner)
    {
        Error = new ChelError("badInput", message);
        Status = HttpStatusCode.BadRequest;
    }

    /// <summary>The error body.</summary>
    public ChelError Error { get; }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; }
}
