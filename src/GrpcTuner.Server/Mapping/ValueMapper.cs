using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Validation;
using Wire = GrpcTuner.V1;

namespace GrpcTuner.Server.Mapping;

/// <summary>Typed parameter values between the wire and the domain.</summary>
internal static class ValueMapper
{
    public static ParamValue? ToDomain(Wire.ParamValue? value, string field, Violations v)
    {
        switch (value?.KindCase)
        {
            case Wire.ParamValue.KindOneofCase.FloatValue:
                return v.Check(double.IsFinite(value.FloatValue), field, $"must be finite, got {value.FloatValue}") ? ParamValue.Of(value.FloatValue) : null;
            case Wire.ParamValue.KindOneofCase.IntValue:
                return ParamValue.Of(value.IntValue);
            case Wire.ParamValue.KindOneofCase.StringValue:
                return ParamValue.Of(value.StringValue);
            case Wire.ParamValue.KindOneofCase.BoolValue:
                return ParamValue.Of(value.BoolValue);
            default:
                v.Add(field, "must set one of float_value, int_value, string_value or bool_value");
                return null;
        }
    }

    public static Wire.ParamValue ToProto(ParamValue value) => value.Kind switch
    {
        ParamKind.Float => new Wire.ParamValue { FloatValue = value.AsFloat },
        ParamKind.Int => new Wire.ParamValue { IntValue = value.AsInt },
        ParamKind.String => new Wire.ParamValue { StringValue = value.AsString },
        _ => new Wire.ParamValue { BoolValue = value.AsBool },
    };

    public static Dictionary<string, ParamValue> ToDomain(IDictionary<string, Wire.ParamValue> values, string field, Violations v)
    {
        var result = new Dictionary<string, ParamValue>(values.Count, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (ToDomain(value, $"{field}[{name}]", v) is { } converted)
            {
                result[name] = converted;
            }
        }

        return result;
    }

    public static List<ParamValue> ToDomain(IList<Wire.ParamValue> values, string field, Violations v)
    {
        var result = new List<ParamValue>(values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            if (ToDomain(values[i], $"{field}[{i}]", v) is { } converted)
            {
                result.Add(converted);
            }
        }

        return result;
    }
}
