using OrleansPigmm.Training.Tests.Support;

namespace OrleansPigmm.Training.Tests.Cpu;

public class AllocationTests
{
    [Fact]
    public void Training_steps_allocate_nothing_on_the_heap()
    {
        // With one worker the parallel loop runs on this thread; an epoch of 20 steps must allocate no more than one of 1 step.
        var dataset = TestData.Synthetic(train: 2000, test: 10);
        using var shortRun = Trainers.Create(new TrainingSpec { Dataset = "synthetic", TrainingSamples = 100 }, dataset, [0], threads: 1);
        using var longRun = Trainers.Create(new TrainingSpec { Dataset = "synthetic", TrainingSamples = 2000 }, dataset, [0], threads: 1);
        shortRun.TrainEpoch();
        longRun.TrainEpoch();

        long before = GC.GetAllocatedBytesForCurrentThread();
        shortRun.TrainEpoch();
        long oneStep = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        longRun.TrainEpoch();
        long twentySteps = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal((2, 40), (shortRun.Status(0).Steps, longRun.Status(0).Steps));
        Assert.True(twentySteps <= oneStep, $"an epoch of 1 step allocated {oneStep} bytes, one of 20 steps {twentySteps}");
    }
}
