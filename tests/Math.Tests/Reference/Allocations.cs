namespace OrleansPigmm.Math.Tests.Reference;

/// <summary>Checks that steady-state calls allocate nothing on the managed heap.</summary>
internal static class Allocations
{
    /// <summary>Calls <paramref name="call"/> once to warm up, then <paramref name="times"/>
    /// times, and fails if those calls allocated.</summary>
    public static void AssertNone(Action call, int times = 10)
    {
        call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int c = 0; c < times; c++)
        {
            call();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
