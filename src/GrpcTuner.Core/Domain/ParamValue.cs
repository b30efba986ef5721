using System.Globalization;

namespace GrpcTuner.Core.Domain;

/// <summary>What a <see cref="ParamValue"/> holds.</summary>
public enum ParamKind
{
    Float,
    Int,
    String,
    Bool,
}

/// <summary>A typed parameter value: a float, an integer, a string or a bool.</summary>
public readonly struct ParamValue : IEquatable<ParamValue>
{
    private readonly double _number;
    private readonly long _integer;
    private readonly string? _text;

    private ParamValue(ParamKind kind, double number, long integer, string? text)
    {
        Kind = kind;
        _number = number;
        _integer = integer;
        _text = text;
    }

    public ParamKind Kind { get; }

    public static ParamValue Of(double value) => new(ParamKind.Float, value, 0, null);

    public static ParamValue Of(long value) => new(ParamKind.Int, 0, value, null);

    public static ParamValue Of(string value) => new(ParamKind.String, 0, 0, value);

    public static ParamValue Of(bool value) => new(ParamKind.Bool, 0, value ? 1 : 0, null);

    public double AsFloat => Kind == ParamKind.Float ? _number : throw WrongKind(ParamKind.Float);

    public long AsInt => Kind == ParamKind.Int ? _integer : throw WrongKind(ParamKind.Int);

    public string AsString => Kind == ParamKind.String ? _text! : throw WrongKind(ParamKind.String);

    public bool AsBool => Kind == ParamKind.Bool ? _integer != 0 : throw WrongKind(ParamKind.Bool);

    /// <summary>The value as a number, for float and int values.</summary>
    public double AsNumber => Kind switch
    {
        ParamKind.Float => _number,
        ParamKind.Int => _integer,
        _ => throw WrongKind(ParamKind.Float),
    };

    public bool IsNumeric => Kind is ParamKind.Float or ParamKind.Int;

    public bool Equals(ParamValue other) => Kind == other.Kind && Kind switch
    {
        // Bitwise equality keeps NaN-free values exact and makes equality agree with hashing.
        ParamKind.Float => _number.Equals(other._number),
        ParamKind.String => string.Equals(_text, other._text, StringComparison.Ordinal),
        _ => _integer == other._integer,
    };

    public override bool Equals(object? obj) => obj is ParamValue other && Equals(other);

    public override int GetHashCode() => Kind switch
    {
        ParamKind.Float => HashCode.Combine(Kind, _number),
        ParamKind.String => HashCode.Combine(Kind, _text),
        _ => HashCode.Combine(Kind, _integer),
    };

    public static bool operator ==(ParamValue left, ParamValue right) => left.Equals(right);

    public static bool operator !=(ParamValue left, ParamValue right) => !left.Equals(right);

    public override string ToString() => Kind switch
    {
        ParamKind.Float => _number.ToString("R", CultureInfo.InvariantCulture),
        ParamKind.Int => _integer.ToString(CultureInfo.InvariantCulture),
        ParamKind.String => _text!,
        _ => _integer != 0 ? "true" : "false",
    };

    private InvalidOperationException WrongKind(ParamKind wanted) =>
        new($"The value {this} is a {Kind}, not a {wanted}.");
}
