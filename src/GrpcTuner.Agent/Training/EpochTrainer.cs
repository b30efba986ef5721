using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GrpcTuner.Agent.Training;

/// <summary>
/// The epoch loop every supervised task shares: shuffled mini-batches (one dispose scope per step),
/// gradient accumulation, the learning-rate schedule with warm-up, then after every epoch a
/// validation metric, a progress line, a checkpoint (when the context names a folder) and a report
/// that may stop the run. A run resumes from the context's checkpoint where there is one.
/// </summary>
/// <param name="context">The trial.</param>
/// <param name="model">What trains.</param>
/// <param name="optimizer">Its optimizer.</param>
/// <param name="samples">Training examples.</param>
/// <param name="lengths">Each example's length in tokens, for group_by_length; null where lengths do not vary.</param>
public sealed class EpochTrainer(TrialContext context, nn.Module model, OptimizerHelper optimizer, long samples, IReadOnlyList<long>? lengths = null)
{
    /// <param name="batchLoss">The loss of the examples at these indexes (a 1-D index tensor).</param>
    /// <param name="evaluate">The validation metric, computed with the model in eval mode.</param>
    /// <param name="metricName">For the progress line.</param>
    /// <param name="ct">Stops the run at the next step.</param>
    public TrainingOutcome Run(Func<Tensor, Tensor> batchLoss, Func<double> evaluate, string metricName, CancellationToken ct)
    {
        // Hyperparameters may change mid-run when PBT tells the trial to exploit another.
        var hp = context.HyperParameters;
        var shuffle = new Generator((ulong)hp.Seed);
        var (firstEpoch, step, metric) = (0, 0, 0.0);
        if (Checkpoint.TryLoad(context.ResumeFrom, model, optimizer) is { } resumed)
        {
            (firstEpoch, step, metric) = (resumed.EpochsDone, resumed.Step, resumed.Metric);
            torch.set_rng_state(Checkpoint.Decode(resumed.TorchRng));
            shuffle.set_state(Checkpoint.Decode(resumed.ShuffleRng));
            context.Log($"trial {context.TrialNumber} resumes after epoch {firstEpoch} from {context.ResumeFrom}");
        }

        // The model is built and loaded: what that freed (initial weights, file buffers) goes back before activations need the room.
        var heap = new HeapRelease(lengths);
        for (var epoch = firstEpoch; epoch < hp.NumEpochs; epoch++)
        {
            model.train();
            // Rebuilt every epoch from the steps still to run, so that after an exploit the new batch
            // size, epoch count, warm-up and schedule take effect and the schedule still ends at the last step.
            var batches = (int)((samples + hp.BatchSize - 1) / hp.BatchSize);
            var stepsPerEpoch = (batches + hp.GradientAccumulationSteps - 1) / hp.GradientAccumulationSteps;
            var totalSteps = step + (stepsPerEpoch * (hp.NumEpochs - epoch));
            var warmup = hp.WarmupFor(totalSteps);
            var clock = Stopwatch.StartNew();
            using var permutation = torch.randperm(samples, generator: shuffle);
            using var order = hp.GroupByLength && lengths is not null
                ? torch.tensor(BatchOrder.GroupedByLength(permutation.data<long>().ToArray(), lengths, hp.BatchSize, n =>
                {
                    using var shuffled = torch.randperm(n, generator: shuffle);
                    return shuffled.data<long>().ToArray().Select(i => (int)i).ToArray();
                }))
                : permutation.alias();
            for (var b = 0; b < batches; b++)
            {
                ct.ThrowIfCancellationRequested();
                using (torch.NewDisposeScope())
                {
                    var index = order.narrow(0, b * hp.BatchSize, Math.Min(hp.BatchSize, samples - (b * hp.BatchSize)));
                    heap.BeforeBatch(index);
                    batchLoss(index).div(hp.GradientAccumulationSteps).backward();
                }

                if ((b + 1) % hp.GradientAccumulationSteps == 0 || b == batches - 1)
                {
                    using (torch.NewDisposeScope())
                    {
                        var factor = LearningRateSchedule.Factor(hp.LrScheduler, step++, warmup, totalSteps);
                        foreach (var group in optimizer.ParamGroups)
                        {
                            group.LearningRate = hp.LearningRate * factor;
                            // An exploit may bring another weight decay; AdamW reads it from each group at every step.
                            if (group is AdamW.ParamGroup adamw)
                            {
                                adamw.Options.weight_decay = hp.WeightDecay;
                            }
                        }

                        optimizer.step();
                        optimizer.zero_grad();
                    }

                    LeanMemory.CollectFinalized();
                }
            }

            var samplesPerSecond = samples / clock.Elapsed.TotalSeconds;
            model.eval();
            using (torch.no_grad())
            {
                metric = evaluate();
            }

            context.Log(string.Create(CultureInfo.InvariantCulture,
                $"trial {context.TrialNumber} epoch {epoch + 1}/{hp.NumEpochs} {metricName}={metric:F4} samples/s={samplesPerSecond:F0} peak_rss_mb={ProcessMemory.PeakMegabytes()}"));
            context.Trained(samples);
            var saved = context.CheckpointDir is { } folder
                ? Checkpoint.Save(folder, model, optimizer, new TrainerState(epoch + 1, step, metric, Checkpoint.Encode(torch.get_rng_state()), Checkpoint.Encode(shuffle.get_state())))
                : null;
            var decision = context.Report(epoch, metric, saved);
            if (decision.Prune)
            {
                return new TrainingOutcome(true, metric, epoch + 1);
            }

            if (decision is { ExploitCheckpoint: { } donor, ExploitWith: { } next })
            {
                // PBT: take the donor's weights and optimizer state, keep this run's progress, continue with the new hyperparameters.
                if (Checkpoint.TryLoad(donor, model, optimizer) is null)
                {
                    throw new TrialFailedException($"the donor checkpoint {donor} cannot be read; PBT needs --checkpoint-dir on storage every agent shares");
                }

                hp = next;
                context.Log(string.Create(CultureInfo.InvariantCulture,
                    $"trial {context.TrialNumber} exploits {donor} and continues with learning_rate={hp.LearningRate:G4} weight_decay={hp.WeightDecay:G4} per_device_batch_size={hp.BatchSize} lr_scheduler={hp.LrScheduler}"));
            }
        }

        return new TrainingOutcome(false, metric, hp.NumEpochs);
    }
}
