// libtorch's default random generator is process-wide: tests that check bit-exact reproducibility
// (same seed, resumed checkpoints) must not share it with other tests running at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
