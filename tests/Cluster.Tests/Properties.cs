// The tests start processes that compete for the same cores, and network namespaces: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
