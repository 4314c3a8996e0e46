// RFC 9497 §3.3.1 client side of modeOPRF: Blind and Finalize; §3.3.2 Finalize with proof (VOPRF).
using System.Buffers.Binary;
using System.Security.Cryptography;
using Threshold.Opaque.Groups;

namespace Threshold.Opaque.Oprf;

/// <summary>The client's entry point: blinds a private input (RFC 9497 §3.3.1 Blind).</summary>
public static class OprfClient
{
    /// <summary>
    /// Blind(input): blind = RandomScalar(); blindedElement = blind·HashToGroup(input). The returned
    /// state keeps a copy of the input and the blind until <see cref="OprfBlindedInput.Finalize"/>.
    /// </summary>
    /// <exception cref="OprfException">InvalidInputError (the input hashes to the identity).</exception>
    public static OprfBlindedInput Blind(OprfSuite suite, ReadOnlySpan<byte> input, RandomNumberGenerator rng)
    {
        ArgumentNullException.ThrowIfNull(suite);
        return Blind(suite, input, suite.Group.RandomScalar(rng));
    }

    /// <summary>Blind with a given blind (the RFC vectors' deterministic hook); takes ownership of it.</summary>
    internal static OprfBlindedInput Blind(OprfSuite suite, ReadOnlySpan<byte> input, GroupScalar blind)
    {
        if (input.Length > ushort.MaxValue)
        {
            blind.Dispose();
            throw new ArgumentException("OPRF inputs are limited to 65535 bytes (RFC 9497 §5.1)", nameof(input));
        }

        var inputElement = suite.HashToGroup(input);
        if (inputElement.IsIdentity)
        {
            blind.Dispose();
            throw new OprfException(OprfError.InvalidInput);
        }

        var blindedElement = suite.Group.Multiply(blind, inputElement);
        return new OprfBlindedInput(suite, new SecretBytes(input), blind, blindedElement);
    }

    /// <summary>
    /// The Finalize hash: Hash(I2OSP(len(input), 2) || input || I2OSP(len(element), 2) || element || "Finalize").
    /// </summary>
    internal static SecretBytes FinalizeHash(OprfSuite suite, ReadOnlySpan<byte> input, GroupElement unblinded)
    {
        var element = unblinded.Serialize();
        var hashInput = GC.AllocateArray<byte>(2 + input.Length + 2 + element.Length + 8, pinned: true);
        try
        {
            BinaryPrimitives.WriteUInt16BigEndian(hashInput, (ushort)input.Length);
            input.CopyTo(hashInput.AsSpan(2));
            BinaryPrimitives.WriteUInt16BigEndian(hashInput.AsSpan(2 + input.Length), (ushort)element.Length);
            element.CopyTo(hashInput.AsSpan(4 + input.Length));
            "Finalize"u8.CopyTo(hashInput.AsSpan(4 + input.Length + element.Length));
            var output = suite.HashData(hashInput);
            try
            {
                return new SecretBytes(output);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(output);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(hashInput);
            CryptographicOperations.ZeroMemory(element);
        }
    }
}

/// <summary>
/// The client's state between Blind and Finalize (RFC 9497 §3.3.1): the input, the blind and the
/// blinded element to send. <see cref="Finalize"/> consumes it; disposing wipes the input and blind.
/// </summary>
public sealed class OprfBlindedInput : IDisposable
{
    private readonly SecretBytes input;
    private readonly GroupScalar blind;
    private bool consumed;

    internal OprfBlindedInput(OprfSuite suite, SecretBytes input, GroupScalar blind, GroupElement blindedElement)
    {
        Suite = suite;
        this.input = input;
        this.blind = blind;
        BlindedElement = blindedElement;
    }

    /// <summary>The suite the input was blinded for.</summary>
    public OprfSuite Suite { get; }

    /// <summary>blindedElement: the message for the server.</summary>
    public GroupElement BlindedElement { get; }

    /// <summary>
    /// Finalize(input, blind, evaluatedElement) (RFC 9497 §3.3.1): unblinds with blind⁻¹ and hashes.
    /// Consumes this state. The output (Nh bytes) is the caller's to dispose.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already finalized or disposed.</exception>
    public SecretBytes Finalize(GroupElement evaluatedElement)
    {
        ArgumentNullException.ThrowIfNull(evaluatedElement);
        Consume();
        try
        {
            return Unblind(evaluatedElement);
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Unblinds without consuming (VOPRF batch finalisation consumes after verifying).</summary>
    internal SecretBytes Unblind(GroupElement evaluatedElement)
    {
        using var inverse = Suite.Group.Invert(blind);
        var unblinded = Suite.Group.Multiply(inverse, evaluatedElement);
        return OprfClient.FinalizeHash(Suite, input.Span, unblinded);
    }

    /// <summary>Marks the state used; a second use is a programming error.</summary>
    internal void Consume()
    {
        if (consumed || input.IsDisposed)
        {
            throw new InvalidOperationException("this OPRF state was already finalized");
        }

        consumed = true;
    }

    /// <summary>Wipes the input copy and the blind.</summary>
    public void Dispose()
    {
        consumed = true;
        input.Dispose();
        blind.Dispose();
    }

    /// <summary>Shows the public blinded element only.</summary>
    public override string ToString() => $"OprfBlindedInput({Suite.Identifier}, blinded={BlindedElement})";
}
