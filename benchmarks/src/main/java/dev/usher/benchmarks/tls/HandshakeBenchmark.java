package dev.usher.benchmarks.tls;

import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full TLS handshakes per second on one thread: SNI lookup in {@link CertificateStore}, then a fresh client and
 * server engine handshake in memory (no sockets, no session resumption), so the figure is the CPU cost of both ends
 * of one full handshake. Axes: the TLS engine, the certificate's key type, the protocol version.
 *
 * <pre>{@code java -jar benchmarks/target/benchmarks.jar HandshakeBenchmark -f 1 -wi 2 -i 3}</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class HandshakeBenchmark {

    private static final String HOST = "bench.example.com";
    private static final int MAX_ROUNDS = 64;

    @Param({"OPENSSL", "JDK"})
    public String provider;

    @Param({"EC_P256", "RSA_2048"})
    public String keyType;

    @Param({"TLSv1.3", "TLSv1.2"})
    public String protocol;

    private CertificateStore store;
    private SslContext client;
    private final ByteBuffer clientToServer = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer serverToClient = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer application = ByteBuffer.allocate(1 << 16);
    private final ByteBuffer empty = ByteBuffer.allocate(0);

    @Setup(Level.Trial)
    public void setUp() throws SSLException {
        SslProvider engine = SslProvider.valueOf(provider);
        if (engine == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
            throw new IllegalStateException("netty-tcnative did not load", OpenSsl.unavailabilityCause());
        }
        TlsCertificate certificate = CertificateGenerator.forHosts(HOST)
                .keyType(CertificateGenerator.KeyType.valueOf(keyType))
                .generate("bench/tls");
        store = CertificateStore.create(DefaultCertificate.generate());
        store.publish(Map.of(HOST, certificate));
        client = SslContextBuilder.forClient()
                .sslProvider(engine)
                .protocols(protocol)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .build();
    }

    /** One full handshake; returns the negotiated cipher suite so the work cannot be optimised away. */
    @Benchmark
    public String fullHandshake() throws Exception {
        Promise<SslContext> promise = ImmediateEventExecutor.INSTANCE.newPromise();
        SslContext serverContext = store.map(HOST, promise).get(10, TimeUnit.SECONDS);
        SSLEngine server = serverContext.newEngine(ByteBufAllocator.DEFAULT);
        // No peer host: neither client engine caches sessions without one, so every handshake is a full one.
        SSLEngine clientEngine = client.newEngine(ByteBufAllocator.DEFAULT);
        try {
            handshake(clientEngine, server);
            return server.getSession().getCipherSuite();
        } finally {
            clientEngine.closeOutbound();
            server.closeOutbound();
        }
    }

    private void handshake(SSLEngine clientEngine, SSLEngine server) throws SSLException {
        clientToServer.clear();
        serverToClient.clear();
        clientEngine.beginHandshake();
        server.beginHandshake();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            if (finished(clientEngine) && finished(server)) {
                return;
            }
            step(clientEngine, clientToServer);
            step(server, serverToClient);
            deliver(clientToServer, server);
            deliver(serverToClient, clientEngine);
        }
        throw new SSLException("handshake did not finish in " + MAX_ROUNDS + " rounds");
    }

    private void step(SSLEngine engine, ByteBuffer out) throws SSLException {
        application.clear();
        engine.wrap(empty, out);
        runTasks(engine);
    }

    private void deliver(ByteBuffer wire, SSLEngine to) throws SSLException {
        wire.flip();
        application.clear();
        to.unwrap(wire, application);
        runTasks(to);
        wire.compact();
    }

    private static void runTasks(SSLEngine engine) {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    private static boolean finished(SSLEngine engine) {
        HandshakeStatus status = engine.getHandshakeStatus();
        return status == HandshakeStatus.NOT_HANDSHAKING || status == HandshakeStatus.FINISHED;
    }
}
