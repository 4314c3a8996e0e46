using Threshold.Testing;

namespace Threshold.Adversary.Tests;

/// <summary>
/// Seeded adversarial campaigns over every protocol, in the normal suite: each run draws n, t, 1 to
/// n − 1 malicious parties and their misbehaviours, and every guarantee of identification is checked
/// on it (Campaign). Together the runs inject well over 200 misbehaviours.
/// </summary>
[Trait("Category", "Adversarial")]
public sealed class CampaignTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(AttackedProtocol.Keygen, 80)]
    [InlineData(AttackedProtocol.Refresh, 40)]
    [InlineData(AttackedProtocol.AuxInfo, 20)]
    [InlineData(AttackedProtocol.Presign, 100)]
    [InlineData(AttackedProtocol.Sign, 20)]
    public void NoHonestPartyIsEverBlamedAndEveryAbortNamesACulprit(AttackedProtocol protocol, int runs)
    {
        var report = Campaign.Run(new CampaignOptions
        {
            Runs = runs,
            Seed = $"suite-{protocol}",
            Primes = TestPrimes.Pool,
            Protocols = [protocol],
        });
        output.WriteLine($"{protocol}: {report.Runs.Count} runs, {report.Injected} with a misbehaviour, {report.Aborts} aborts, {report.Stalls} stalls, "
            + $"{report.CulpritsNamed} culprits named, {report.HonestBlamed} honest parties blamed, {report.NobodyNamed} aborts naming nobody");
        foreach (var failure in report.Failures)
        {
            output.WriteLine($"run {failure.Index} {failure.Protocol} parties [{string.Join(",", failure.Participants)}] t={failure.Threshold} malicious [{string.Join(",", failure.Malicious)}] {failure.Plan}: {string.Join(" | ", failure.Violations)}");
        }

        Assert.Equal(0, report.HonestBlamed);
        Assert.Equal(0, report.NobodyNamed);
        Assert.Empty(report.Failures);
        Assert.True(report.Injected >= runs * 3 / 5, $"only {report.Injected} of {runs} runs injected a misbehaviour");
        Assert.True(report.Aborts > 0 || protocol == AttackedProtocol.Sign, "no run aborted: the adversary did nothing");
    }
}
