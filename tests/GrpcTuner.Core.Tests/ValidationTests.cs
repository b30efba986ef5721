using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Errors;
using GrpcTuner.Core.Validation;

namespace GrpcTuner.Core.Tests;

public class ValidationTests
{
    public static TheoryData<string, SearchSpace, SamplerKind, string> InvalidSpaces => new()
    {
        { "low > high", Build.Space(Build.Float("x", 2, 1)), SamplerKind.Tpe, "search_space.params[0].float.high" },
        { "log with low 0", Build.Space(Build.Float("x", 0, 1, log: true)), SamplerKind.Tpe, "search_space.params[0].float.low" },
        { "step not dividing", Build.Space(Build.Float("x", 0, 1, step: 0.3)), SamplerKind.Tpe, "search_space.params[0].float.step" },
        { "int step not dividing", Build.Space(Build.Int("n", 0, 10, step: 3)), SamplerKind.Tpe, "search_space.params[0].int.step" },
        { "int log from 0", Build.Space(Build.Int("n", 0, 10, log: true)), SamplerKind.Tpe, "search_space.params[0].int.low" },
        { "NaN bound", Build.Space(Build.Float("x", double.NaN, 1)), SamplerKind.Tpe, "search_space.params[0].float.low" },
        { "empty categorical", Build.Space(new ParamSpec("c", new CategoricalDistribution([]))), SamplerKind.Tpe, "search_space.params[0].categorical.choices" },
        { "duplicate choice", Build.Space(Build.Cat("c", "a", "a")), SamplerKind.Tpe, "search_space.params[0].categorical.choices[1]" },
        { "duplicate name", Build.Space(Build.Float("x", 0, 1), Build.Float("x", 0, 1)), SamplerKind.Tpe, "search_space.params[1].name" },
        { "bad name", Build.Space(Build.Float("x y", 0, 1)), SamplerKind.Tpe, "search_space.params[0].name" },
        { "missing parent", Build.Space(new ParamSpec("m", new FloatDistribution(0, 1), new Condition("opt", [ParamValue.Of("sgd")]))), SamplerKind.Tpe, "search_space.params[0].condition.parent" },
        { "parent value impossible", Build.Space(Build.Cat("opt", "adam"), new ParamSpec("m", new FloatDistribution(0, 1), new Condition("opt", [ParamValue.Of("sgd")]))), SamplerKind.Tpe, "search_space.params[1].condition.values[0]" },
        { "grid float without step", Build.Space(Build.Float("x", 0, 1)), SamplerKind.Grid, "search_space.params[0].float.step" },
        { "empty grid", Build.Space(), SamplerKind.Grid, "search_space.params" },
        { "empty QMC space", Build.Space(), SamplerKind.Qmc, "search_space.params" },
    };

    [Theory]
    [MemberData(nameof(InvalidSpaces))]
    public void InvalidSpacesNameTheField(string why, SearchSpace space, SamplerKind sampler, string field)
    {
        var e = Assert.Throws<TunerException>(() => StudyValidator.Validate(Build.Study(space, sampler)));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.True(e.Violations.Any(v => v.Field == field), $"{why}: expected a violation of {field}, got {e.Message}");
    }

    [Fact]
    public void AValidStudyPasses() => StudyValidator.Validate(Build.Study(Build.Space(Build.Float("x", 0, 1, step: 0.25), Build.Int("n", 1, 64, log: true), Build.Cat("c", "a", "b"))));

    [Fact]
    public void ParamsMustCoverExactlyTheActiveParameters()
    {
        var space = Build.Space(Build.Cat("opt", "adam", "sgd"), new ParamSpec("m", new FloatDistribution(0, 1), new Condition("opt", [ParamValue.Of("sgd")])));
        var v = new Violations();
        TrialValidator.ValidateParams(space, new Dictionary<string, ParamValue> { ["opt"] = ParamValue.Of("sgd") }, "params", v);
        TrialValidator.ValidateParams(space, new Dictionary<string, ParamValue> { ["opt"] = ParamValue.Of("adam"), ["m"] = ParamValue.Of(0.5) }, "params", v);
        TrialValidator.ValidateParams(space, new Dictionary<string, ParamValue> { ["opt"] = ParamValue.Of(3L) }, "params", v);
        var e = Assert.Throws<TunerException>(v.ThrowIfAny);
        Assert.Equal(["params[m]", "params[m]", "params[opt]"], e.Violations.Select(x => x.Field));
    }

    [Fact]
    public void ValuesMustMatchTheObjectivesAndBeFinite()
    {
        var v = new Violations();
        TrialValidator.ValidateValues([Direction.Minimize, Direction.Maximize], [1.0], "values", v);
        TrialValidator.ValidateValues([Direction.Minimize], [double.PositiveInfinity], "values", v);
        var e = Assert.Throws<TunerException>(v.ThrowIfAny);
        Assert.Equal(["values", "values[0]"], e.Violations.Select(x => x.Field));
    }
}
