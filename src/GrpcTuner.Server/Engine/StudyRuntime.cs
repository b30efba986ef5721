using System.Collections.Concurrent;
using GrpcTuner.Core.Domain;
using GrpcTuner.Core.Pruners;
using GrpcTuner.Core.Samplers;
using GrpcTuner.Core.Schedulers;

namespace GrpcTuner.Server.Engine;

/// <summary>
/// The algorithms of each study, built once per replica. They hold no trial state, so any replica
/// builds the same ones from the same definition.
/// </summary>
internal sealed class StudyRuntime
{
    private readonly ConcurrentDictionary<string, Algorithms> _byStudy = new(StringComparer.Ordinal);

    public Algorithms For(Study study) => _byStudy.GetOrAdd(study.Id, _ => new Algorithms(study.Definition));

    public void Forget(string studyId) => _byStudy.TryRemove(studyId, out _);

    internal sealed class Algorithms
    {
        private readonly StudyDefinition _definition;
        private volatile ExtendedSampler? _extended;

        public Algorithms(StudyDefinition definition)
        {
            _definition = definition;
            (Sampler, Sequence) = SamplerFactory.Create(definition);
            Pruner = PrunerFactory.Create(definition);
            Pbt = definition.Pruner.Kind == PrunerKind.Pbt ? new PbtScheduler(definition) : null;
        }

        public PbtScheduler? Pbt { get; }

        public ISampler? Sampler { get; }

        public ISequenceSampler? Sequence { get; }

        public IPruner Pruner { get; }

        /// <summary>
        /// The free sampler over the declared space extended by the define-by-run parameters every
        /// complete trial shares; the last one is kept, as that space settles after the first trials.
        /// </summary>
        public ISampler SamplerFor(SearchSpace space)
        {
            if (ReferenceEquals(space, _definition.Space))
            {
                return Sampler!;
            }

            if (_extended is { } last && last.Space.Equals(space))
            {
                return last.Sampler;
            }

            var sampler = SamplerFactory.Create(SamplerFactory.Extended(_definition, space)).Free!;
            _extended = new ExtendedSampler(space, sampler);
            return sampler;
        }

        private sealed record ExtendedSampler(SearchSpace Space, ISampler Sampler);

        /// <summary>Where this replica believes the sequence sampler stands; the claim script corrects a wrong guess.</summary>
        public long SequenceHint;
    }
}
