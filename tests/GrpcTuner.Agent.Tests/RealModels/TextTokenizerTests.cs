using GrpcTuner.Agent.Models.Tokenization;
using GrpcTuner.Testing.Models;

namespace GrpcTuner.Agent.Tests.RealModels;

public class TextTokenizerTests
{
    [Fact]
    public void APairIsClsASepBSepWithTypeOneOnTheSecond()
    {
        using var tokenizer = TextTokenizer.Load(MiniLm.Folder);
        var one = tokenizer.Encode("the cat", null, 128);
        var pair = tokenizer.Encode("the cat", "a dog", 128);
        Assert.Equal([101, 1996, 4937, 102], one.Ids);
        Assert.Equal([101, 1996, 4937, 102, 1037, 3899, 102], pair.Ids);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1], pair.TypeIds);
        Assert.Equal(0, tokenizer.PadId);
        Assert.Equal(512, tokenizer.ModelMaxLength);
    }

    [Fact]
    public void PairsAreTruncatedLongestFirstToTheMaximumLength()
    {
        using var tokenizer = TextTokenizer.Load(MiniLm.Folder);
        var a = string.Join(' ', Enumerable.Repeat("cat", 20));
        var b = string.Join(' ', Enumerable.Repeat("dog", 4));
        var pair = tokenizer.Encode(a, b, 15);
        Assert.Equal(15, pair.Ids.Count);
        Assert.Equal(8, pair.Ids.Count(i => i == 4937));
        Assert.Equal(4, pair.Ids.Count(i => i == 3899));
        Assert.Equal(102, pair.Ids[^1]);
    }

    [Theory]
    [InlineData(10, 4, 9, 5, 4)]     // only the longer loses tokens
    [InlineData(4, 4, 5, 2, 3)]      // both over half: split, the second taking the odd one
    [InlineData(100, 100, 9, 4, 5)]
    [InlineData(3, 50, 10, 3, 7)]
    [InlineData(7, 0, 5, 5, 0)]
    public void LongestFirstKeepsWhatHuggingFacesTokenizersKeep(int a, int b, int budget, int keepA, int keepB) =>
        Assert.Equal((keepA, keepB), TextTokenizer.LongestFirst(a, b, budget));
}
