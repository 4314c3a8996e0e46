using Threshold.Paillier;

namespace Threshold.Cli.Bench.Proofs;

/// <summary>
/// One proof's entry in <c>threshold bench proofs</c>. Implementations are found by reflection, so a
/// new proof adds one file here. Names: <c>proof.&lt;id&gt;.&lt;prove|verify&gt;.&lt;level&gt;</c>;
/// the prove line carries the encoded proof size in bytes.
/// </summary>
internal interface IProofBench
{
    /// <summary>Short id used in result names: enc, affg, logstar, mod, prm, fac, sch, mul, dec, …</summary>
    string Id { get; }

    /// <summary>Measures proving and verifying at <paramref name="level"/>.</summary>
    IEnumerable<BenchResult> Run(SecurityLevel level, ProofBenchFixture fixture);
}
