using System.Security.Cryptography;
using Threshold.Curves;
using Threshold.Secrets;

namespace Threshold.Cggmp.Shares;

/// <summary>
/// A secret polynomial f(x) = a_0 + a_1·x + … + a_{t−1}·x^{t−1} over Z_q for Shamir sharing, with its
/// Feldman commitments (a_k·G). Coefficients are wiped on <see cref="Dispose"/>.
/// </summary>
internal sealed class Polynomial : IDisposable
{
    private readonly SecretScalar[] coefficients;

    private Polynomial(SecretScalar[] coefficients) => this.coefficients = coefficients;

    /// <summary>Degree + 1.</summary>
    public int Length => coefficients.Length;

    /// <summary>A random polynomial of <paramref name="length"/> coefficients, with a_0 = <paramref name="constant"/> if given.</summary>
    public static Polynomial Random(Curve curve, int length, RandomNumberGenerator rng, Scalar? constant = null)
    {
        var c = new SecretScalar[length];
        for (var k = 0; k < length; k++)
        {
            c[k] = k == 0 && constant is not null ? new SecretScalar(constant) : SecretScalar.Random(curve, rng);
        }

        return new Polynomial(c);
    }

    /// <summary>f(x) by Horner's rule, in constant time (<see cref="SecretScalar.Multiply(Scalar)"/>, <see cref="SecretScalar.Add(SecretScalar)"/>).</summary>
    public SecretScalar Evaluate(int x)
    {
        var curve = coefficients[0].Curve;
        var point = Scalar.FromValue(curve, x);
        var acc = new SecretScalar(Scalar.Zero(curve));
        for (var k = coefficients.Length - 1; k >= 0; k--)
        {
            using var scaled = acc.Multiply(point);
            acc.Dispose();
            acc = scaled.Add(coefficients[k]);
        }

        return acc;
    }

    /// <summary>The Feldman commitments (a_0·G, …, a_{t−1}·G).</summary>
    public IReadOnlyList<Point> Commitments() => [.. coefficients.Select(Point.MultiplyGenerator)];

    /// <summary>Σ_k C_k · x^k: the public image f(x)·G of a share, from commitments alone.</summary>
    public static Point EvaluateCommitments(IReadOnlyList<Point> commitments, int x)
    {
        ArgumentNullException.ThrowIfNull(commitments);
        var curve = commitments[0].Curve;
        var point = Scalar.FromValue(curve, x);
        var acc = curve.Identity;
        for (var k = commitments.Count - 1; k >= 0; k--)
        {
            acc = (point * acc) + commitments[k];
        }

        return acc;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var c in coefficients)
        {
            c.Dispose();
        }
    }
}
