package dev.usher.tls;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SNI certificate map: given the host name a client sent, the {@link SslContext} to answer with.
 *
 * <p>Lookup is exact host, then a one-label wildcard ({@code *.foo.com} covers {@code bar.foo.com}, neither
 * {@code foo.com} nor {@code a.bar.foo.com}), then the default; no SNI gets the default. Pass the store to Netty's
 * {@code new SniHandler(store)}.
 *
 * <p>Design: the host map is an immutable {@code SniTable} replaced by {@link #publish} with one volatile write;
 * {@link #map} reads it once. Contexts are built lazily, on the first handshake that needs one, on the builder
 * executor (never the event loop), and cached by a SHA-256 fingerprint of key and chain: republishing the same
 * certificate reuses its context, a rotated Secret gets a new one. Open connections keep the context (and engine)
 * they started with, so a rotation never drops them. A certificate whose context cannot be built is logged once and
 * its hosts get the default certificate until it changes.
 */
public final class CertificateStore implements AsyncMapping<String, SslContext> {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateStore.class);

    /** A built context, or why it could not be built; failures are cached too so they are not rebuilt per hello. */
    private record Built(
            @Nullable SslContext context, @Nullable Exception failure) {}

    /** Makes a server context for one certificate; a seam so tests can make a build fail. */
    @FunctionalInterface
    interface ContextBuilder {
        SslContext build(TlsCertificate certificate, List<X509Certificate> clientCas, SslProvider provider)
                throws SSLException;

        /** As {@link #build(TlsCertificate, List, SslProvider)}, offering {@code ciphers} (empty: the default). */
        default SslContext build(
                TlsCertificate certificate, List<X509Certificate> clientCas, List<String> ciphers, SslProvider provider)
                throws SSLException {
            return build(certificate, clientCas, provider);
        }
    }

    /** {@link ServerContexts}, per-host cipher lists included. */
    private static final ContextBuilder SERVER_CONTEXTS = new ContextBuilder() {
        @Override
        public SslContext build(TlsCertificate certificate, List<X509Certificate> clientCas, SslProvider provider)
                throws SSLException {
            return ServerContexts.build(certificate, clientCas, List.of(), provider);
        }

        @Override
        public SslContext build(
                TlsCertificate certificate, List<X509Certificate> clientCas, List<String> ciphers, SslProvider provider)
                throws SSLException {
            return ServerContexts.build(certificate, clientCas, ciphers, provider);
        }
    };

    private final SslProvider provider;
    private final ContextBuilder builder;
    private final AsyncCache<String, Built> contexts;
    private volatile SniTable table;

    private CertificateStore(SslProvider provider, ContextBuilder builder, Executor builders, SniTable table) {
        this.provider = provider;
        this.builder = builder;
        this.contexts = Caffeine.newBuilder().executor(builders).buildAsync();
        this.table = table;
    }

    /**
     * Creates a store with no hosts yet, serving {@code defaultCertificate} to everyone, with the OpenSSL provider
     * when it loads, else the JDK's. Contexts are built on the store's own small pool of daemon threads (idle
     * threads exit, so there is nothing to shut down), apart from the common fork-join pool that others may block.
     *
     * @throws IllegalArgumentException when the default certificate cannot make a context (checked now, not at
     *                                  the first handshake)
     */
    public static CertificateStore create(TlsCertificate defaultCertificate) {
        return create(defaultCertificate, contextBuilders());
    }

    /** As {@link #create(TlsCertificate)}, building contexts on {@code builders}, which must not be an event loop. */
    public static CertificateStore create(TlsCertificate defaultCertificate, Executor builders) {
        return create(defaultCertificate, builders, ServerContexts.preferredProvider());
    }

    /** As {@link #create(TlsCertificate, Executor)} with a fixed provider; lets tests cover both engines. */
    static CertificateStore create(TlsCertificate defaultCertificate, Executor builders, SslProvider provider) {
        return create(defaultCertificate, builders, provider, SERVER_CONTEXTS);
    }

    private static Executor contextBuilders() {
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "usher-tls-context-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    static CertificateStore create(
            TlsCertificate defaultCertificate, Executor builders, SslProvider provider, ContextBuilder builder) {
        Objects.requireNonNull(defaultCertificate, "defaultCertificate");
        Objects.requireNonNull(builders, "builders");
        Objects.requireNonNull(provider, "provider");
        CertificateStore store =
                new CertificateStore(provider, builder, builders, SniTable.of(Map.of(), defaultCertificate));
        SniTable.Entry defaultEntry = store.table.defaultEntry();
        Built built = store.build(defaultEntry);
        if (built.failure() != null) {
            throw new IllegalArgumentException(
                    "the default certificate " + defaultCertificate.id() + " cannot be served: "
                            + built.failure().getMessage(),
                    built.failure());
        }
        store.contexts.put(defaultEntry.fingerprint(), CompletableFuture.completedFuture(built));
        return store;
    }

    /**
     * Replaces the host map with one volatile write, keeping the default certificate. Keys are exact hosts or
     * {@code *.domain} wildcards, any case, trailing dot allowed; other keys are logged and skipped. Contexts of
     * certificates no longer referenced are dropped from the cache (connections using them are unaffected).
     */
    public void publish(Map<String, TlsCertificate> byHost) {
        Objects.requireNonNull(byHost, "byHost");
        publish(byHost, defaultCertificate());
    }

    /** As {@link #publish(Map)}, also replacing the default certificate (for {@code --default-ssl-certificate}). */
    public void publish(Map<String, TlsCertificate> byHost, TlsCertificate defaultCertificate) {
        publish(byHost, defaultCertificate, Map.of());
    }

    /**
     * As {@link #publish(Map, TlsCertificate)}; the handshakes of the hosts of {@code clientCas} (exact or
     * {@code *.domain}) also ask the client for a certificate issued by one of those CAs (ingress-nginx's
     * {@code auth-tls-secret}). The handshake never fails for a missing or unverifiable client certificate: the
     * proxy checks it per request and answers as nginx does. Hosts missing from {@code clientCas} keep the contexts
     * they have without it, so their handshakes cost what they did.
     */
    public void publish(
            Map<String, TlsCertificate> byHost,
            TlsCertificate defaultCertificate,
            Map<String, List<X509Certificate>> clientCas) {
        publish(byHost, defaultCertificate, clientCas, Map.of());
    }

    /**
     * As {@link #publish(Map, TlsCertificate, Map)}; the handshakes of the hosts of {@code ciphers} (exact or
     * {@code *.domain}) offer those TLS 1.2 suites, IANA names in preference order (ingress-nginx's {@code ssl-ciphers},
     * evaluated by {@link CipherLists}); TLS 1.3 suites stay as they are. Hosts with the same certificate, CAs and
     * cipher list share one context; hosts missing from {@code ciphers} keep the default list.
     */
    public void publish(
            Map<String, TlsCertificate> byHost,
            TlsCertificate defaultCertificate,
            Map<String, List<X509Certificate>> clientCas,
            Map<String, List<String>> ciphers) {
        Objects.requireNonNull(byHost, "byHost");
        Objects.requireNonNull(defaultCertificate, "defaultCertificate");
        Objects.requireNonNull(clientCas, "clientCas");
        Objects.requireNonNull(ciphers, "ciphers");
        SniTable next = SniTable.of(byHost, defaultCertificate, clientCas, ciphers);
        table = next;
        // A handshake that read the previous table may re-add a dropped entry; the next publish drops it again.
        contexts.asMap().keySet().retainAll(next.fingerprints());
    }

    /** The certificate a client sending SNI {@code hostname} (or {@code null} for none) gets now. */
    public TlsCertificate certificateFor(String hostname) {
        return table.select(hostname).certificate();
    }

    /** The CAs a client sending SNI {@code hostname} is asked for a certificate of; empty when none is asked for. */
    public List<X509Certificate> clientCertificateAuthorities(@Nullable String hostname) {
        return table.select(hostname).clientCas();
    }

    /** The current host map: exact hosts and {@code *.domain} wildcards, normalised, without the default. */
    public Map<String, TlsCertificate> certificates() {
        return table.certificates();
    }

    /** The certificate served to unknown hosts and to clients without SNI. */
    public TlsCertificate defaultCertificate() {
        return table.defaultEntry().certificate();
    }

    /** Which engine builds the contexts: {@code "OpenSSL"} (BoringSSL via netty-tcnative) or {@code "JDK"}. */
    public String provider() {
        return ServerContexts.name(provider);
    }

    /**
     * Completes {@code promise} with the context for SNI {@code hostname}; called by {@code SniHandler} on the event
     * loop, so it never blocks: a context not built yet is built on the builder executor and the promise completed
     * from there. Falls back to the default context when the host's cannot be built.
     */
    @Override
    public Future<SslContext> map(@Nullable String hostname, Promise<SslContext> promise) {
        SniTable current = table;
        SniTable.Entry entry = current.select(hostname);
        try {
            context(entry).whenComplete((built, error) -> {
                if (built != null && built.context() != null) {
                    promise.trySuccess(built.context());
                } else if (entry != current.defaultEntry()) {
                    completeWithDefault(current, promise);
                } else {
                    complete(promise, built, error);
                }
            });
        } catch (RuntimeException e) {
            // e.g. the builder executor rejected the task while shutting down: fail this handshake, not the loop.
            promise.tryFailure(e);
        }
        return promise;
    }

    private void completeWithDefault(SniTable current, Promise<SslContext> promise) {
        try {
            context(current.defaultEntry()).whenComplete((built, error) -> complete(promise, built, error));
        } catch (RuntimeException e) {
            promise.tryFailure(e);
        }
    }

    private static void complete(Promise<SslContext> promise, Built built, Throwable error) {
        if (built != null && built.context() != null) {
            promise.trySuccess(built.context());
        } else {
            promise.tryFailure(error != null ? error : built.failure());
        }
    }

    private CompletableFuture<Built> context(SniTable.Entry entry) {
        return contexts.get(
                entry.fingerprint(),
                (fingerprint, executor) -> CompletableFuture.supplyAsync(() -> build(entry), executor));
    }

    private Built build(SniTable.Entry entry) {
        try {
            return new Built(
                    entry.ciphers().isEmpty()
                            ? builder.build(entry.certificate(), entry.clientCas(), provider)
                            : builder.build(entry.certificate(), entry.clientCas(), entry.ciphers(), provider),
                    null);
        } catch (SSLException | RuntimeException e) {
            LOG.warn(
                    "cannot build a TLS context for {}: {}; its hosts get the default certificate",
                    entry.certificate().id(),
                    e.toString());
            return new Built(null, e);
        }
    }
}
