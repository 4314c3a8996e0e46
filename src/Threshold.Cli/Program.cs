using System.CommandLine;
using Threshold.Cli.Commands;

namespace Threshold.Cli;

/// <summary>Entry point of the <c>threshold</c> command.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Threshold: a threshold ECDSA signing network (CGGMP21 with identifiable abort).");
        root.Add(GlobalOptions.Arithmetic);
        root.Add(DemoCommand.Create());
        root.Add(ClusterCommands.Cluster());
        root.Add(ClusterCommands.Node());
        root.Add(ClusterCommands.Aggregator());
        root.Add(ClusterCommands.Client());
        root.Add(BenchCommand.Create());
        root.Add(PrimesCommand.Create());
        root.Add(AdversaryCommand.Create());
        return root.Parse(args).Invoke();
    }
}
