using System.Collections.Concurrent;

namespace OrleansPigmm.Silo.Training;

/// <summary>
/// A task scheduler with threads of its own, for the training device: the trainer's parallel
/// loops run here, never on the thread pool that runs grains, so a silo answers calls while its
/// cores train.
/// </summary>
internal sealed class DedicatedThreadScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> tasks = [];
    private readonly Thread[] threads;

    /// <summary>Starts <paramref name="threadCount"/> background threads named after <paramref name="name"/>.</summary>
    public DedicatedThreadScheduler(int threadCount, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        threads = Enumerable.Range(0, threadCount).Select(i => new Thread(Run) { IsBackground = true, Name = $"{name} {i + 1}" }).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }
    }

    /// <inheritdoc />
    public override int MaximumConcurrencyLevel => threads.Length;

    /// <summary>Lets the threads finish the queued tasks, then ends them.</summary>
    public void Dispose()
    {
        tasks.CompleteAdding();
        foreach (var thread in threads)
        {
            thread.Join();
        }
        tasks.Dispose();
    }

    /// <inheritdoc />
    protected override void QueueTask(Task task) => tasks.Add(task);

    /// <inheritdoc />
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        threads.Contains(Thread.CurrentThread) && TryExecuteTask(task);

    /// <inheritdoc />
    protected override IEnumerable<Task> GetScheduledTasks() => tasks.ToArray();

    private void Run()
    {
        foreach (var task in tasks.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
