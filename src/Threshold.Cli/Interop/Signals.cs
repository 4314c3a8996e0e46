using System.Runtime.InteropServices;

namespace Threshold.Cli.Interop;

/// <summary>POSIX kill(2), to ask a child process to shut down (.NET's Process.Kill sends SIGKILL, which it cannot handle).</summary>
internal static partial class Signals
{
    private const int SigTerm = 15; // the same on Linux and macOS

    /// <summary>Sends SIGTERM to <paramref name="pid"/>; 0 on success, else the errno.</summary>
    public static int Terminate(int pid) => Kill(pid, SigTerm) == 0 ? 0 : Marshal.GetLastPInvokeError();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
