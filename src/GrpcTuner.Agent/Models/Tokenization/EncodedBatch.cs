using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Tokenization;

/// <summary>
/// Tokenized examples padded to the longest of them: input_ids, attention_mask and
/// token_type_ids, each (examples, length) of Int64. A batch taken from it is cut to its own
/// longest example, so short texts cost no compute on padding.
/// </summary>
public sealed class EncodedBatch : IDisposable
{
    private readonly long[] _lengths;

    private EncodedBatch(Tensor ids, Tensor mask, Tensor typeIds, long[] lengths)
    {
        (InputIds, AttentionMask, TokenTypeIds, _lengths) = (ids, mask, typeIds, lengths);
    }

    public Tensor InputIds { get; }

    public Tensor AttentionMask { get; }

    public Tensor TokenTypeIds { get; }

    public long Count => InputIds.shape[0];

    /// <summary>Each example's length in tokens.</summary>
    public IReadOnlyList<long> Lengths => _lengths;

    public static EncodedBatch Pad(IReadOnlyList<TokenizedText> rows, int padId)
    {
        var length = Math.Max(1, rows.Count == 0 ? 1 : rows.Max(r => r.Ids.Count));
        var ids = new long[rows.Count * length];
        var mask = new long[rows.Count * length];
        var types = new long[rows.Count * length];
        Array.Fill(ids, padId);
        for (var i = 0; i < rows.Count; i++)
        {
            for (var j = 0; j < rows[i].Ids.Count; j++)
            {
                ids[(i * length) + j] = rows[i].Ids[j];
                mask[(i * length) + j] = 1;
                types[(i * length) + j] = rows[i].TypeIds[j];
            }
        }

        long[] shape = [rows.Count, length];
        return new EncodedBatch(tensor(ids, shape), tensor(mask, shape), tensor(types, shape), rows.Select(r => (long)r.Ids.Count).ToArray());
    }

    /// <summary>The examples at these positions, cut to the longest of them, on <paramref name="device"/> (tensors owned by the caller's dispose scope).</summary>
    public (Tensor Ids, Tensor Mask, Tensor TypeIds) Take(Tensor index, Device device)
    {
        var longest = Math.Max(1, index.data<long>().ToArray().Max(i => _lengths[i]));
        Tensor Cut(Tensor t) => t.index_select(0, index).narrow(1, 0, longest).to(device);
        return (Cut(InputIds), Cut(AttentionMask), Cut(TokenTypeIds));
    }

    /// <summary>Positions start, start + 1, ... of at most <paramref name="count"/> examples, as an index.</summary>
    public Tensor Range(long start, long count) => arange(start, Math.Min(Count, start + count), dtype: ScalarType.Int64);

    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        TokenTypeIds.Dispose();
    }
}
