using System.Runtime.InteropServices;

namespace Threshold.Simulator.Engine;

/// <summary>
/// The process's CPU time, all threads (Linux <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>, nanosecond
/// resolution; <c>Process.TotalProcessorTime</c> counts in 10 ms ticks there). Other processes on a
/// shared machine do not inflate it as they inflate wall time.
/// </summary>
internal static partial class CpuClock
{
    private const int ProcessCpuTimeId = 2;

    /// <summary>Whether this platform has the clock.</summary>
    public static bool Available => OperatingSystem.IsLinux();

    /// <summary>CPU time used by this process so far, in ms.</summary>
    public static double NowMs()
    {
        if (ClockGetTime(ProcessCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        }

        return (time.Seconds * 1000.0) + (time.Nanoseconds / 1e6);
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out Timespec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
