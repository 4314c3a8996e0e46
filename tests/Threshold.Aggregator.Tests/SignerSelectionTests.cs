using Threshold.Contracts.V1;

namespace Threshold.Aggregator.Tests;

/// <summary>
/// Pins <see cref="SignerSelection"/>: the fewest failures go first (then by party), a completed run
/// clears its signers, a failed one counts against each and names the parties to leave out, and only
/// parties without failures are trusted.
/// </summary>
public sealed class SignerSelectionTests
{
    private static readonly Dictionary<string, int> PartyOf = new() { ["a"] = 1, ["b"] = 2, ["c"] = 3, ["d"] = 4 };

    private static readonly ProtocolOutcome Quiet = new(false, new Dictionary<int, ProtocolStep>(), [], [], []);

    [Fact]
    public void Choose_without_failures_takes_the_lowest_parties()
    {
        var selection = new SignerSelection(2);
        Assert.Equal([1, 2], selection.Choose([4, 3, 2, 1, 2]));
    }

    [Fact]
    public void Choose_prefers_the_parties_with_fewest_failures()
    {
        var selection = new SignerSelection(2);
        selection.Fail([1]);
        selection.Fail([1, 2]);
        Assert.Equal([3, 4], selection.Choose([1, 2, 3, 4]));
        Assert.Equal([2, 1], selection.Choose([1, 2]));
    }

    [Fact]
    public void Record_of_a_success_clears_the_signers_failures()
    {
        var selection = new SignerSelection(2);
        selection.Fail([1, 2]);
        Assert.Equal([3, 4], selection.Choose([1, 2, 3, 4]));

        var leaveOut = selection.Record([1, 2], Quiet, succeeded: true, PartyOf);

        Assert.Empty(leaveOut);
        Assert.Equal([1, 2], selection.Choose([1, 2, 3, 4]));
        Assert.Equal([1, 2, 3, 4], selection.Trusted([1, 2, 3, 4]).Order());
    }

    [Fact]
    public void Record_of_a_failure_counts_against_every_signer_and_names_whom_to_leave_out()
    {
        var selection = new SignerSelection(2);
        var outcome = new ProtocolOutcome(false, new Dictionary<int, ProtocolStep>(), [], ["b", "stranger"], ["c"]);

        var leaveOut = selection.Record([1, 2, 3], outcome, succeeded: false, PartyOf);

        Assert.Equal([2, 3], leaveOut.Order());
        Assert.Equal([4], selection.Trusted([1, 2, 3, 4]));
        Assert.Equal([4, 1], selection.Choose([1, 2, 3, 4]));
    }

    [Fact]
    public void Trusted_is_the_candidates_without_failures()
    {
        var selection = new SignerSelection(3);
        selection.Fail([2]);
        Assert.Equal([1, 3], selection.Trusted([1, 2, 3]).Order());
        Assert.Empty(selection.Trusted([2]));
    }
}
