// RFC 9497 §3.3.1 server side of modeOPRF: BlindEvaluate and Evaluate.
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Oprf;

/// <summary>The server's operations of the base OPRF (RFC 9497 §3.3.1).</summary>
public static class OprfServer
{
    /// <summary>BlindEvaluate(skS, blindedElement) = skS·blindedElement.</summary>
    /// <param name="secretKey">skS.</param>
    /// <param name="blindedElement">A validated element (from <see cref="IOprfGroup.DeserializeElement"/>).</param>
    public static GroupElement BlindEvaluate(GroupScalar secretKey, GroupElement blindedElement)
    {
        ArgumentNullException.ThrowIfNull(secretKey);
        ArgumentNullException.ThrowIfNull(blindedElement);
        if (blindedElement.IsIdentity)
        {
            throw new ArgumentException("the identity cannot be evaluated", nameof(blindedElement));
        }

        return secretKey.Group.Multiply(secretKey, blindedElement);
    }

    /// <summary>
    /// Evaluate(skS, input) (RFC 9497 §3.3.1): the PRF computed directly by a party that knows both the
    /// key and the input; equals the client's Finalize output.
    /// </summary>
    /// <exception cref="OprfException">InvalidInputError.</exception>
    public static SecretBytes Evaluate(OprfSuite suite, GroupScalar secretKey, ReadOnlySpan<byte> input)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(secretKey);
        var inputElement = suite.HashToGroup(input);
        if (inputElement.IsIdentity)
        {
            throw new OprfException(OprfError.InvalidInput);
        }

        return OprfClient.FinalizeHash(suite, input, suite.Group.Multiply(secretKey, inputElement));
    }
}
