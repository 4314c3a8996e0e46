using System.Text.Json;
using Threshold.Opaque.Groups;
using Threshold.Opaque.Oprf;
using Threshold.Opaque.Tests.Support;

namespace Threshold.Opaque.Tests.Vectors;

/// <summary>
/// RFC 9497 Appendix A for ristretto255-SHA512 and P256-SHA256: DeriveKeyPair, Blind, BlindEvaluate,
/// Finalize and Evaluate in modeOPRF; plus the batched DLEQ proofs of modeVOPRF.
/// </summary>
public sealed class OprfVectorTests
{
    public static TheoryData<string, int> Suites => new()
    {
        { "ristretto255-SHA512", 0 },
        { "ristretto255-SHA512", 1 },
        { "P256-SHA256", 0 },
        { "P256-SHA256", 1 },
    };

    [Theory]
    [MemberData(nameof(Suites))]
    public void AllVectorsMatch(string identifier, int mode)
    {
        var data = Find(identifier, mode);
        var suite = OprfSuite.FromIdentifier(identifier, (OprfMode)mode);
        Assert.Equal(data.Text("groupDST"), Convert.ToHexStringLower([.. "HashToGroup-"u8, .. suite.ContextString]));

        using var key = suite.DeriveKeyPair(data.Hex("seed"), data.Hex("keyInfo"));
        using (var sk = key.SecretKey.Serialize())
        {
            Assert.Equal(data.Text("skSm"), Convert.ToHexStringLower(sk.Span));
        }

        if (mode == 1)
        {
            Assert.Equal(data.Text("pkSm"), Convert.ToHexStringLower(key.PublicKey.Serialize()));
        }

        foreach (var vector in data.GetProperty("vectors").EnumerateArray())
        {
            if (mode == 0)
            {
                CheckBaseMode(suite, key, vector);
            }
            else
            {
                CheckVerifiableMode(suite, key, vector);
            }
        }
    }

    private static void CheckBaseMode(OprfSuite suite, OprfKeyPair key, JsonElement vector)
    {
        var group = suite.Group;
        var input = vector.Hex("Input");
        using var state = OprfClient.Blind(suite, input, group.DeserializeScalar(vector.Hex("Blind"), "blind"));
        Assert.Equal(vector.Text("BlindedElement"), Convert.ToHexStringLower(state.BlindedElement.Serialize()));

        // The server sees only the serialised element.
        var blinded = group.DeserializeElement(state.BlindedElement.Serialize(), "blinded");
        var evaluated = OprfServer.BlindEvaluate(key.SecretKey, blinded);
        Assert.Equal(vector.Text("EvaluationElement"), Convert.ToHexStringLower(evaluated.Serialize()));

        using var output = state.Finalize(group.DeserializeElement(evaluated.Serialize(), "evaluated"));
        Assert.Equal(vector.Text("Output"), Convert.ToHexStringLower(output.Span));
        using var direct = OprfServer.Evaluate(suite, key.SecretKey, input);
        Assert.Equal(vector.Text("Output"), Convert.ToHexStringLower(direct.Span));
    }

    private static void CheckVerifiableMode(OprfSuite suite, OprfKeyPair key, JsonElement vector)
    {
        // Batched vectors join the per-input values with commas.
        var group = suite.Group;
        var inputs = Split(vector.Text("Input"));
        var blinds = Split(vector.Text("Blind"));
        var states = inputs.Select((input, i) => OprfClient.Blind(suite, input, group.DeserializeScalar(blinds[i], "blind"))).ToArray();
        Assert.Equal(vector.Text("BlindedElement"), string.Join(",", states.Select(s => Convert.ToHexStringLower(s.BlindedElement.Serialize()))));

        var proofData = vector.GetProperty("Proof");
        using var r = group.DeserializeScalar(proofData.Hex("r"), "r");
        var evaluation = Voprf.BlindEvaluate(suite, key, [.. states.Select(s => s.BlindedElement)], r);
        Assert.Equal(vector.Text("EvaluationElement"), string.Join(",", evaluation.EvaluatedElements.Select(e => Convert.ToHexStringLower(e.Serialize()))));
        Assert.Equal(proofData.Text("proof"), Convert.ToHexStringLower(evaluation.Proof.Serialize()));

        var received = new VoprfEvaluation(evaluation.EvaluatedElements, DleqProof.Deserialize(group, evaluation.Proof.Serialize()));
        var outputs = Voprf.Finalize(suite, states, received, group.DeserializeElement(key.PublicKey.Serialize(), "pkS"));
        Assert.Equal(vector.Text("Output"), string.Join(",", outputs.Select(o => Convert.ToHexStringLower(o.Span))));
        foreach (var output in outputs)
        {
            output.Dispose();
        }
    }

    [Theory]
    [InlineData("ristretto255-SHA512")]
    [InlineData("P256-SHA256")]
    public void AProofForAnotherKeyFailsVerification(string identifier)
    {
        var suite = OprfSuite.FromIdentifier(identifier, OprfMode.Voprf);
        var rng = new Threshold.Randomness.SeededRandom("voprf " + identifier);
        using var honest = suite.GenerateKeyPair(rng);
        using var other = suite.GenerateKeyPair(rng);
        var state = OprfClient.Blind(suite, "input"u8, rng);
        var evaluation = Voprf.BlindEvaluate(suite, other, [state.BlindedElement], rng);
        var error = Assert.Throws<OprfException>(() => Voprf.Finalize(suite, [state], evaluation, honest.PublicKey));
        Assert.Equal(OprfError.Verify, error.Error);
        Assert.Throws<InvalidOperationException>(() => state.Finalize(evaluation.EvaluatedElements[0]));
    }

    private static JsonElement Find(string identifier, int mode) =>
        VectorFiles.Load("oprf-rfc9497.json").EnumerateArray()
            .Single(s => s.Text("identifier") == identifier && s.GetProperty("mode").GetInt32() == mode);

    private static byte[][] Split(string joined) => [.. joined.Split(',').Select(Convert.FromHexString)];
}
