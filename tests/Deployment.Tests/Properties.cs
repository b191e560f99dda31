// The tests publish the console and start silos and network namespaces: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
