using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Threshold.Client;
using Threshold.Server.Rpc;
using Threshold.Server.Tests.Protos;

namespace Threshold.Server.Tests;

/// <summary>A <see cref="ServiceHost"/> serving <see cref="EchoService"/> over TLS, with its logs kept for assertions.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(ServiceHost host, X509Certificate2 certificate, EchoSignals signals, LogSink logs)
    {
        Host = host;
        Certificate = certificate;
        Signals = signals;
        Logs = logs;
    }

    public ServiceHost Host { get; }

    public X509Certificate2 Certificate { get; }

    public EchoSignals Signals { get; }

    public LogSink Logs { get; }

    public static async Task<TestServer> StartAsync(Func<ServiceHostOptions, ServiceHostOptions>? configure = null)
    {
        var certificate = SelfSignedCertificate.Create("threshold-test-server");
        var signals = new EchoSignals();
        var logs = new LogSink();
        var loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        var options = new ServiceHostOptions { Certificate = certificate, LoggerFactory = loggers, GrpcWeb = true, JsonTranscoding = true };
        var host = await ServiceHost.StartAsync(
            configure?.Invoke(options) ?? options,
            services => services.AddSingleton(signals),
            app => app.MapGrpcService<EchoService>(),
            TestContext.Current.CancellationToken);
        return new TestServer(host, certificate, signals, logs);
    }

    /// <summary>A channel pinning this server's certificate (and presenting <paramref name="client"/> if given).</summary>
    public GrpcChannel Channel(X509Certificate2? client = null) => ThresholdChannel.Create(Host.Address, Certificate, client);

    /// <summary>A generated client on a fresh channel (disposed with the test's server).</summary>
    public Echo.EchoClient Client() => new(Channel());

    /// <summary>An HttpClient for hand-made requests, trusting this server.</summary>
    public HttpClient RawHttp(Version? version = null)
    {
        var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = ThresholdChannel.Pin(Certificate) } };
        return new HttpClient(handler)
        {
            BaseAddress = Host.Address,
            DefaultRequestVersion = version ?? HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Certificate.Dispose();
    }
}

/// <summary>A server shared by the tests of one class.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    private TestServer? server;

    public TestServer Server => server ?? throw new InvalidOperationException("not started");

    public async ValueTask InitializeAsync() => server = await TestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}

/// <summary>Keeps every log entry (level, category, event name, message, exception).</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record LogEntry(LogLevel Level, string Category, string? EventName, string Message, Exception? Exception);

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.entries.Enqueue(new LogEntry(logLevel, category, eventId.Name, formatter(state, exception), exception));
    }
}
