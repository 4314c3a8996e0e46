// RFC 9807 §2.3 (Stretch) and §7 (configurations): the key stretching function applied by the client to
// the OPRF output before deriving randomized_password. Identity for the vectors, Argon2id, scrypt.
namespace Threshold.Opaque.Ksf;

/// <summary>
/// Stretch(msg) of RFC 9807 §2.3: a slow, memory-hard, collision-resistant hash of the OPRF output.
/// Implementations have fixed parameters (a configuration names one), so client and server agree.
/// </summary>
public interface IKeyStretchingFunction
{
    /// <summary>A stable name with the parameters, for example "argon2id(t=1,m=2097152KiB,p=1)".</summary>
    string Name { get; }

    /// <summary>Stretches <paramref name="input"/> to <paramref name="outputLength"/> bytes (Nh in OPAQUE).</summary>
    SecretBytes Stretch(ReadOnlySpan<byte> input, int outputLength);
}

/// <summary>
/// The identity KSF of the RFC 9807 test vectors: Stretch(msg) = msg. No protection against offline
/// guessing after a server compromise; for vectors and tests only.
/// </summary>
public sealed class IdentityKsf : IKeyStretchingFunction
{
    private IdentityKsf()
    {
    }

    /// <summary>The single instance.</summary>
    public static IdentityKsf Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "identity";

    /// <inheritdoc />
    public SecretBytes Stretch(ReadOnlySpan<byte> input, int outputLength) =>
        input.Length == outputLength
            ? new SecretBytes(input)
            : throw new ArgumentException("the identity KSF cannot change the length", nameof(outputLength));

    /// <inheritdoc />
    public override string ToString() => Name;
}
