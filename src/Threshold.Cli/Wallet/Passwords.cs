using System.Text;
using Spectre.Console;

namespace Threshold.Cli.Wallet;

/// <summary>
/// Where a wallet password comes from: <c>--password-file</c> (its first line), else the
/// <c>THRESHOLD_PASSWORD</c> environment variable (for scripts), else a prompt on the terminal that echoes
/// nothing (not even its length). Never a command-line argument: those are visible to every user of the machine (ps, /proc)
/// and kept in shell histories.
/// </summary>
internal static class Passwords
{
    public const string EnvironmentVariable = "THRESHOLD_PASSWORD";

    /// <summary>The password as UTF-8 bytes (the caller wipes them), or an error message.</summary>
    public static (byte[]? Password, string? Error) Read(FileInfo? file, bool confirm, IAnsiConsole console)
    {
        string? text;
        if (file is not null)
        {
            try
            {
                using var reader = file.OpenText();
                text = reader.ReadLine();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"cannot read the password file: {e.Message}");
            }
        }
        else if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            text = fromEnvironment;
        }
        else if (!Console.IsInputRedirected && console.Profile.Capabilities.Interactive)
        {
            text = console.Prompt(new TextPrompt<string>("Password:").Secret(null));
            if (confirm && console.Prompt(new TextPrompt<string>("Password again:").Secret(null)) != text)
            {
                return (null, "the passwords differ");
            }
        }
        else
        {
            return (null, $"no password: give --password-file or set {EnvironmentVariable} when not at a terminal");
        }

        return string.IsNullOrEmpty(text) ? (null, "the password is empty") : (Encoding.UTF8.GetBytes(text), null);
    }
}
