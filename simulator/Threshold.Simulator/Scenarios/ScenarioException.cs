namespace Threshold.Simulator.Scenarios;

/// <summary>A scenario that cannot be run as written; the message says which field and why.</summary>
public sealed class ScenarioException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScenarioException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public ScenarioException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ScenarioException()
    {
    }
}
