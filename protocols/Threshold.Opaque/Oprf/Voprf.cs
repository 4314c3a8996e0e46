// RFC 9497 §3.3.2 modeVOPRF: BlindEvaluate with a (batched) DLEQ proof, Finalize after verifying it.
using System.Security.Cryptography;
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Oprf;

/// <summary>The server's answer in modeVOPRF: one evaluated element per blinded element and one proof.</summary>
/// <param name="EvaluatedElements">evaluatedElement[i] = skS·blindedElement[i].</param>
/// <param name="Proof">Proof that every evaluation used the key behind pkS.</param>
public sealed record VoprfEvaluation(IReadOnlyList<GroupElement> EvaluatedElements, DleqProof Proof);

/// <summary>The verifiable OPRF (RFC 9497 §3.3.2), batched as the RFC allows.</summary>
public static class Voprf
{
    /// <summary>
    /// BlindEvaluate(skS, pkS, blindedElements): evaluates each element and proves, in one proof,
    /// that skS·G = pkS and skS·C[i] = D[i].
    /// </summary>
    public static VoprfEvaluation BlindEvaluate(OprfSuite suite, OprfKeyPair key, IReadOnlyList<GroupElement> blindedElements, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(suite);
        using var r = suite.Group.RandomScalar(rng);
        return BlindEvaluate(suite, key, blindedElements, r);
    }

    /// <summary>BlindEvaluate with given proof randomness r (the RFC vectors' hook).</summary>
    internal static VoprfEvaluation BlindEvaluate(OprfSuite suite, OprfKeyPair key, IReadOnlyList<GroupElement> blindedElements, GroupScalar r)
    {
        RequireVerifiable(suite);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(blindedElements);
        var evaluated = blindedElements.Select(e => OprfServer.BlindEvaluate(key.SecretKey, e)).ToArray();
        var proof = DleqProof.Generate(suite, key.SecretKey, suite.Group.Generator, key.PublicKey, blindedElements, evaluated, r);
        return new VoprfEvaluation(evaluated, proof);
    }

    /// <summary>
    /// Finalize for a batch (RFC 9497 §3.3.2): verifies the proof over all (blinded, evaluated) pairs,
    /// then unblinds each. Consumes every state, also on failure.
    /// </summary>
    /// <exception cref="OprfException">VerifyError.</exception>
    public static SecretBytes[] Finalize(OprfSuite suite, IReadOnlyList<OprfBlindedInput> states, VoprfEvaluation evaluation, GroupElement publicKey)
    {
        RequireVerifiable(suite);
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(evaluation);
        ArgumentNullException.ThrowIfNull(publicKey);
        try
        {
            if (states.Count != evaluation.EvaluatedElements.Count)
            {
                throw new ArgumentException("one evaluated element per blinded input is needed", nameof(evaluation));
            }

            foreach (var state in states)
            {
                state.Consume();
            }

            var blinded = states.Select(s => s.BlindedElement).ToArray();
            if (!evaluation.Proof.Verify(suite, suite.Group.Generator, publicKey, blinded, evaluation.EvaluatedElements))
            {
                throw new OprfException(OprfError.Verify);
            }

            return [.. states.Select((s, i) => s.Unblind(evaluation.EvaluatedElements[i]))];
        }
        finally
        {
            foreach (var state in states)
            {
                state.Dispose();
            }
        }
    }

    private static void RequireVerifiable(OprfSuite suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        if (suite.Mode != OprfMode.Voprf)
        {
            throw new ArgumentException("the suite must be in modeVOPRF (use suite.WithMode(OprfMode.Voprf))", nameof(suite));
        }
    }
}
