using Microsoft.Win32.SafeHandles;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Models.Checkpoints;

/// <summary>
/// Copies between files and a CPU tensor's own memory, in pieces of at most 1 GiB, since a span
/// (and so a tensor's byte view) holds at most 2^31 - 1 bytes while tensors may hold more.
/// </summary>
internal static class TensorBytes
{
    private const long PieceBytes = 1L << 30;

    /// <summary>Fills a contiguous CPU tensor from the file at <paramref name="offset"/>.</summary>
    public static void Read(SafeFileHandle file, Tensor tensor, long offset, string path)
    {
        foreach (var (piece, start) in Pieces(tensor))
        {
            using (piece)
            {
                ReadExactly(file, piece.bytes, offset + start, path);
            }
        }
    }

    /// <summary>Appends a contiguous CPU tensor's bytes to the stream.</summary>
    public static void Write(Tensor tensor, Stream stream)
    {
        foreach (var (piece, _) in Pieces(tensor))
        {
            using (piece)
            {
                stream.Write(piece.bytes);
            }
        }
    }

    public static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read <= 0)
            {
                throw new InvalidDataException($"{path}: the file ends at byte {offset}, inside a tensor's data");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    /// <returns>Views of the tensor's memory with their byte offsets from its start.</returns>
    private static IEnumerable<(Tensor Piece, long ByteOffset)> Pieces(Tensor tensor)
    {
        var count = tensor.NumberOfElements;
        if (count == 0)
        {
            yield break;
        }

        var size = tensor.ElementSize;
        var perPiece = PieceBytes / size;
        using var flat = tensor.view(-1);
        for (long start = 0; start < count; start += perPiece)
        {
            yield return (flat.narrow(0, start, Math.Min(perPiece, count - start)), start * size);
        }
    }
}
