namespace GrpcTuner.Agent.Tasks.Text;

/// <summary>The examples of a classification task: train, validation, and optionally a test set that only the final model sees.</summary>
public sealed record ClassificationData(LabeledText Train, LabeledText Validation, LabeledText? Test)
{
    public IReadOnlyList<string> Labels => LabeledText.LabelSet(Test is null ? [Train, Validation] : [Train, Validation, Test]);

    /// <summary>From files: train, then validation (or every k-th training example), then an optional test file.</summary>
    public static ClassificationData FromFiles(string trainFile, string? validationFile, double validationFraction, string? testFile)
    {
        var all = LabeledText.Load(trainFile);
        var (train, validation) = validationFile is null ? all.Split(validationFraction) : (all, LabeledText.Load(validationFile));
        var test = testFile is null ? null : LabeledText.Load(testFile);
        if ((train.Pairs is null) != (validation.Pairs is null) || (test is not null && (test.Pairs is null) != (train.Pairs is null)))
        {
            throw new InvalidDataException($"{trainFile}: either every split has text_pair or none does");
        }

        return new ClassificationData(train, validation, test);
    }
}
