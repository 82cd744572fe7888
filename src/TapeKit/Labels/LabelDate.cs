namespace TapeKit.Labels;

/// <summary>
/// A label date (<c>docs/formats/rules.md#fmt-f2</c>, F2): the six bytes <c>cyyddd</c> decoded, or one of the
/// other forms readers meet. Writers emit only <see cref="LabelDateForm.Full"/> dates of 1900–2199.
/// </summary>
public readonly struct LabelDate : IEquatable<LabelDate>
{
    /// <summary>The length of a date field.</summary>
    public const int Length = 6;

    private readonly DateOnly _value;

    private LabelDate(LabelDateForm form, DateOnly value)
    {
        Form = form;
        _value = value;
    }

    /// <summary>The form the field holds.</summary>
    public LabelDateForm Form { get; }

    /// <summary>Whether the field holds a calendar date (<see cref="LabelDateForm.Full"/> or <see cref="LabelDateForm.CtaShort"/>).</summary>
    public bool HasValue => Form is LabelDateForm.Full or LabelDateForm.CtaShort;

    /// <summary>The calendar date.</summary>
    /// <exception cref="InvalidOperationException">The field holds no date (<see cref="HasValue"/> is false).</exception>
    public DateOnly Value => HasValue ? _value : throw new InvalidOperationException($"The label date field holds no date (form {Form}).");

    /// <summary>A date to be written in the full form.</summary>
    /// <param name="date">A date from 1900-01-01 to 2199-12-31.</param>
    /// <returns>The label date.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The year is outside 1900–2199 (F2.1).</exception>
    public static LabelDate FromDate(DateOnly date)
    {
        if (date.Year is < 1900 or > 2199)
        {
            throw new ArgumentOutOfRangeException(nameof(date), date, "Label dates can be written for the years 1900 to 2199 only (cyyddd: a century digit, the year in the century, the day of the year).");
        }

        return new LabelDate(LabelDateForm.Full, date);
    }

    /// <summary>The UTC calendar date of <paramref name="clock"/>'s now (F2.2).</summary>
    /// <param name="clock">The clock.</param>
    /// <returns>Today's label date.</returns>
    public static LabelDate Today(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return FromDate(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
    }

    /// <summary>Decodes a six-byte date field; never throws.</summary>
    /// <param name="field">The six bytes of the field.</param>
    /// <returns>The decoded date; <see cref="LabelDateForm.Invalid"/> if the bytes are in no accepted form.</returns>
    public static LabelDate Decode(ReadOnlySpan<byte> field)
    {
        if (field.Length != Length)
        {
            return Invalid;
        }

        if (LabelAscii.IsBlank(field))
        {
            return new LabelDate(LabelDateForm.Blank, default);
        }

        if (field.SequenceEqual("000000"u8))
        {
            return new LabelDate(LabelDateForm.NoDate, default);
        }

        // CTA short form for 2000–2009: '0', one year digit, three day digits, a space.
        if (field[5] == LabelAscii.Space && field[0] == (byte)'0' && LabelAscii.IsDigits(field[1..5]))
        {
            int year = 2000 + (field[1] - '0');
            int day = ((field[2] - '0') * 100) + ((field[3] - '0') * 10) + (field[4] - '0');
            return TryMake(LabelDateForm.CtaShort, year, day);
        }

        int century = field[0] switch
        {
            LabelAscii.Space => 1900,
            (byte)'0' => 2000,
            (byte)'1' => 2100,
            _ => -1,
        };
        if (century < 0 || !LabelAscii.IsDigits(field[1..]))
        {
            return Invalid;
        }

        int yy = ((field[1] - '0') * 10) + (field[2] - '0');
        int ddd = ((field[3] - '0') * 100) + ((field[4] - '0') * 10) + (field[5] - '0');
        return TryMake(LabelDateForm.Full, century + yy, ddd);
    }

    /// <summary>Writes the full <c>cyyddd</c> form.</summary>
    /// <param name="destination">At least six bytes.</param>
    /// <exception cref="InvalidOperationException">The value is not a writable full-form date.</exception>
    public void WriteTo(Span<byte> destination)
    {
        if (Form != LabelDateForm.Full)
        {
            throw new InvalidOperationException($"Only full-form dates are written; this one is {Form}.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        int year = _value.Year;
        destination[0] = year switch
        {
            < 2000 => LabelAscii.Space,
            < 2100 => (byte)'0',
            _ => (byte)'1',
        };
        LabelAscii.WriteDecimal(destination.Slice(1, 2), (ulong)(year % 100));
        LabelAscii.WriteDecimal(destination.Slice(3, 3), (ulong)_value.DayOfYear);
    }

    /// <inheritdoc/>
    public bool Equals(LabelDate other) => Form == other.Form && _value == other._value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LabelDate other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Form, _value);

    /// <summary>The date as <c>yyyy-MM-dd</c>, or the name of its form when it holds none.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => HasValue
        ? _value.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
        : Form.ToString();

    /// <summary>Equality.</summary>
    /// <param name="left">One date.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether both are equal.</returns>
    public static bool operator ==(LabelDate left, LabelDate right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">One date.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(LabelDate left, LabelDate right) => !left.Equals(right);

    private static LabelDate Invalid => new(LabelDateForm.Invalid, default);

    private static LabelDate TryMake(LabelDateForm form, int year, int dayOfYear)
    {
        int days = DateTime.IsLeapYear(year) ? 366 : 365;
        if (dayOfYear < 1 || dayOfYear > days)
        {
            return Invalid;
        }

        return new LabelDate(form, new DateOnly(year, 1, 1).AddDays(dayOfYear - 1));
    }
}
