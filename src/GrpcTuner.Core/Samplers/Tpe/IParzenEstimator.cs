using GrpcTuner.Core.Randomness;

namespace GrpcTuner.Core.Samplers.Tpe;

/// <summary>A Parzen estimator over points of <typeparamref name="TPoint"/>: one coordinate, or one per dimension.</summary>
internal interface IParzenEstimator<TPoint>
{
    TPoint[] Sample(Rng rng, int count);

    /// <summary>Log score of each point under the mixture.</summary>
    double[] LogPdf(TPoint[] points);
}
