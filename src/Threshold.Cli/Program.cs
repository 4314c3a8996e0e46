using System.CommandLine;
using Threshold.Cli.Commands;

namespace Threshold.Cli;

/// <summary>Entry point of the <c>threshold</c> command.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var parse = Commands().Parse(args);

        // Processes that serve until interrupted get time to shut down cleanly (children of `cluster up` included).
        var serving = parse.CommandResult.Command.Name is "up" or "node" or "aggregator";
        return parse.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(serving ? 30 : 2) });
    }

    /// <summary>Every command of <c>threshold</c> (system tests run them in process).</summary>
    internal static RootCommand Commands()
    {
        var root = new RootCommand("Threshold: a threshold ECDSA signing network (CGGMP21 with identifiable abort).");
        root.Add(GlobalOptions.Arithmetic);
        root.Add(DemoCommand.Create());
        root.Add(ClusterCommands.Cluster());
        root.Add(ClusterCommands.Node());
        root.Add(ClusterCommands.Aggregator());
        root.Add(ClientCommands.Create());
        root.Add(BenchCommand.Create());
        root.Add(PrimesCommand.Create());
        root.Add(AdversaryCommand.Create());
        root.Add(SimCommand.Create());
        return root;
    }
}
