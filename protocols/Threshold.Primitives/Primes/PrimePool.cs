using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using Threshold.Arithmetic;
using Threshold.Secrets;

namespace Threshold.Primes;

/// <summary>
/// A store of pregenerated safe primes, by bit length, so that aux-info and key refresh do not wait
/// for prime generation. Fill it ahead of time (<see cref="FillAsync"/>), persist it
/// (<see cref="Save"/>/<see cref="Load"/>), and <see cref="Take"/> consumes: a prime leaves the pool
/// when taken and is never handed out twice. Thread-safe.
/// </summary>
/// <remarks>
/// Primes are secret material (they become Paillier keys). The file written by <see cref="Save"/> is
/// created owner-read/write only; nodes keep it sealed under their storage key.
/// </remarks>
public sealed class PrimePool
{
    private const string Header = "# threshold safe-prime pool v1: <bits> <hex>";

    private readonly ConcurrentDictionary<int, ConcurrentQueue<BigInteger>> primes = new();

    /// <summary>Creates an empty pool computing with <paramref name="arithmetic"/>.</summary>
    public PrimePool(IArithmetic? arithmetic = null) => Arithmetic = arithmetic ?? Backends.Default;

    /// <summary>The backend used to generate and check primes.</summary>
    public IArithmetic Arithmetic { get; }

    /// <summary>The bit lengths the pool holds primes of.</summary>
    public IReadOnlyList<int> Sizes => [.. primes.Where(e => !e.Value.IsEmpty).Select(e => e.Key).Order()];

    /// <summary>How many primes of <paramref name="bits"/> bits are ready.</summary>
    public int Count(int bits) => primes.TryGetValue(bits, out var queue) ? queue.Count : 0;

    /// <summary>
    /// Adds a prime after checking that it is a safe prime of the stated length with its two top bits
    /// set — what the generator makes, and what guarantees a product of two of them has exactly 2·bits
    /// bits (aux-info refuses, and blames, a modulus of any other length).
    /// </summary>
    /// <exception cref="ArgumentException">Not a safe prime, not of <paramref name="bits"/> bits, or its second bit clear.</exception>
    public void Add(int bits, BigInteger prime)
    {
        if (bits < 2 || prime.GetBitLength() != bits || (prime >> (bits - 2)) != 3 || !SafePrimes.IsSafePrime(prime, Arithmetic, 16))
        {
            throw new ArgumentException($"not a {bits}-bit safe prime with its two top bits set", nameof(prime));
        }

        Queue(bits).Enqueue(BigIntegerMemory.Copy(prime));
    }

    /// <summary>Removes and returns a prime of <paramref name="bits"/> bits, generating one if none is ready.</summary>
    public SecretBigInteger Take(int bits, CancellationToken cancellationToken = default)
    {
        var prime = Queue(bits).TryDequeue(out var ready)
            ? ready
            : SafePrimes.Generate(bits, Arithmetic, cancellationToken: cancellationToken);
        var secret = new SecretBigInteger(prime);
        BigIntegerMemory.Clear(ref prime); // the pool's own copy
        return secret;
    }

    /// <summary>Generates primes until <paramref name="target"/> of <paramref name="bits"/> bits are ready.</summary>
    public async Task FillAsync(int bits, int target, IProgress<SafePrimeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var wanted = Math.Max(0, target - Count(bits));
        long before = 0;
        for (var found = 0; found < wanted; found++)
        {
            long latest = 0;
            var (index, offset) = (found, before);
            var relay = progress is null ? null : new Relay(p =>
            {
                latest = p.Candidates;
                progress.Report(new SafePrimeProgress(bits, offset + p.Candidates, index, wanted));
            });
            var prime = await SafePrimes.GenerateAsync(bits, Arithmetic, relay, cancellationToken).ConfigureAwait(false);
            Queue(bits).Enqueue(prime);
            before += latest;
            progress?.Report(new SafePrimeProgress(bits, before, found + 1, wanted));
        }
    }

    /// <summary>Writes the pool to <paramref name="path"/> (mode 0600 on Unix), replacing the file atomically.</summary>
    public void Save(string path)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temporary, options))
        {
            writer.WriteLine(Header);
            foreach (var (bits, queue) in primes.OrderBy(e => e.Key))
            {
                foreach (var prime in queue)
                {
                    writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bits} {prime.ToString("x", CultureInfo.InvariantCulture)}"));
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a pool written by <see cref="Save"/>, checking every prime.</summary>
    /// <exception cref="FormatException">A line is malformed or holds something other than a safe prime.</exception>
    public static PrimePool Load(string path, IArithmetic? arithmetic = null)
    {
        var pool = new PrimePool(arithmetic);
        using var reader = new StreamReader(path);
        pool.Read(reader);
        return pool;
    }

    /// <summary>Adds every prime from text in the <see cref="Save"/> format, checking each.</summary>
    public void Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var bits)
                || !BigInteger.TryParse("0" + parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var prime))
            {
                throw new FormatException($"prime pool line {number}: expected '<bits> <hex>'");
            }

            try
            {
                Add(bits, prime);
            }
            catch (ArgumentException)
            {
                throw new FormatException($"prime pool line {number}: not a {bits}-bit safe prime");
            }
        }
    }

    /// <summary>Reports synchronously on the worker's thread (Progress&lt;T&gt; would post and reorder).</summary>
    private sealed class Relay(Action<SafePrimeProgress> report) : IProgress<SafePrimeProgress>
    {
        public void Report(SafePrimeProgress value) => report(value);
    }

    private ConcurrentQueue<BigInteger> Queue(int bits) => primes.GetOrAdd(bits, _ => new ConcurrentQueue<BigInteger>());
}
