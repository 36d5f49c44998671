package dev.usher.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

final class CertificateStoreTest {

    private static final TlsCertificate DEFAULT = DefaultCertificate.generate();
    private static final TlsCertificate EXACT =
            CertificateGenerator.forHosts("foo.com").generate("ns/exact");
    private static final TlsCertificate WILD =
            CertificateGenerator.forHosts("*.foo.com").generate("ns/wild");
    private static final TlsCertificate BAR =
            CertificateGenerator.forHosts("bar.foo.com").generate("ns/bar");

    /** Runs builder tasks only when the test says so: shows that nothing waits for a build. */
    private static final class ManualExecutor implements Executor {
        private final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable task) {
            tasks.add(task);
        }

        synchronized int runAll() {
            int count = 0;
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                task.run();
                count++;
            }
            return count;
        }
    }

    private final ManualExecutor builders = new ManualExecutor();

    private SslContext mapNow(CertificateStore store, String host) throws Exception {
        Promise<SslContext> promise = ImmediateEventExecutor.INSTANCE.newPromise();
        store.map(host, promise);
        builders.runAll();
        return promise.get(10, TimeUnit.SECONDS);
    }

    static Stream<Arguments> selection() {
        return Stream.of(
                Arguments.of("exact host", "foo.com", EXACT),
                Arguments.of("exact beats wildcard", "bar.foo.com", BAR),
                Arguments.of("wildcard covers one label", "baz.foo.com", WILD),
                Arguments.of("wildcard does not cover two labels", "a.baz.foo.com", DEFAULT),
                Arguments.of("upper case is lowered", "BAZ.Foo.COM", WILD),
                Arguments.of("trailing dot is dropped", "foo.com.", EXACT),
                Arguments.of("unknown host gets the default", "example.org", DEFAULT),
                Arguments.of("no SNI gets the default", null, DEFAULT),
                Arguments.of("empty name gets the default", "", DEFAULT),
                Arguments.of("a leading dot is no label", ".foo.com", DEFAULT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selection")
    void certificateFor_sniHostName_followsExactThenWildcardThenDefault(
            String rule, String sni, TlsCertificate expected) {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        store.publish(Map.of("foo.com", EXACT, "*.FOO.com", WILD, "bar.foo.com.", BAR));

        assertThat(store.certificateFor(sni)).isSameAs(expected);
    }

    @Test
    void publish_invalidHostKeys_areSkippedAndTheRestServed() {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        Map<String, TlsCertificate> byHost = new HashMap<>();
        byHost.put("*", WILD);
        byHost.put("a.*.foo.com", WILD);
        byHost.put("", WILD);
        byHost.put("foo.com", EXACT);

        store.publish(byHost);

        assertThat(store.certificateFor("foo.com")).isSameAs(EXACT);
        assertThat(store.certificateFor("a.x.foo.com")).isSameAs(DEFAULT);
        assertThat(store.certificateFor("anything")).isSameAs(DEFAULT);
    }

    @Test
    void publish_twoKeysForOneHost_keepsTheLowerIdWhateverTheMapOrder() {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        Map<String, TlsCertificate> byHost = new HashMap<>();
        byHost.put("FOO.com", BAR);
        byHost.put("foo.com", EXACT);
        byHost.put("foo.com.", WILD);

        store.publish(byHost);

        assertThat(store.certificateFor("foo.com").id()).isEqualTo("ns/bar");
    }

    @Test
    void certificates_listsNormalisedHostsAndWildcardsWithoutTheDefault() {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);

        store.publish(Map.of("Foo.com.", EXACT, "*.FOO.com", WILD));

        assertThat(store.certificates()).containsOnly(Map.entry("foo.com", EXACT), Map.entry("*.foo.com", WILD));
        assertThat(store.defaultCertificate()).isSameAs(DEFAULT);
    }

    @Test
    void map_noSni_completesAtOnceWithThePrebuiltDefault() {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        Promise<SslContext> promise = ImmediateEventExecutor.INSTANCE.newPromise();

        store.map(null, promise);

        assertThat(promise.isSuccess()).isTrue();
        assertThat(promise.getNow().isServer()).isTrue();
    }

    @Test
    void map_hostNotBuiltYet_returnsPendingAndCompletesFromTheBuilderExecutor() {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        store.publish(Map.of("foo.com", EXACT));
        Promise<SslContext> promise = ImmediateEventExecutor.INSTANCE.newPromise();

        store.map("foo.com", promise);

        assertThat(promise.isDone())
                .as("no build may run on the caller's thread")
                .isFalse();
        assertThat(builders.runAll()).isEqualTo(1);
        assertThat(promise.isSuccess()).isTrue();
    }

    @Test
    void map_twoHellosBeforeTheBuildFinishes_shareOneBuild() {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        store.publish(Map.of("foo.com", EXACT, "*.foo.com", EXACT));
        Promise<SslContext> first = ImmediateEventExecutor.INSTANCE.newPromise();
        Promise<SslContext> second = ImmediateEventExecutor.INSTANCE.newPromise();

        store.map("foo.com", first);
        store.map("www.foo.com", second);

        assertThat(builders.runAll()).isEqualTo(1);
        assertThat(first.getNow()).isNotNull().isSameAs(second.getNow());
    }

    @Test
    void publish_manyHosts_buildsNoContextUntilAHandshakeNeedsOne() throws Exception {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        Map<String, TlsCertificate> byHost = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            byHost.put("host" + i + ".example.com", i % 2 == 0 ? EXACT : BAR);
        }

        store.publish(byHost);

        assertThat(builders.runAll()).isZero();
        assertThat(mapNow(store, "host7.example.com")).isSameAs(mapNow(store, "host9.example.com"));
    }

    @Test
    void map_sameCertificateContentRepublished_reusesItsContext() throws Exception {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        store.publish(Map.of("foo.com", EXACT));
        SslContext first = mapNow(store, "foo.com");

        TlsCertificate sameContent = new TlsCertificate("ns/exact", EXACT.key(), EXACT.chain());
        store.publish(Map.of("foo.com", sameContent, "other.com", BAR));

        assertThat(mapNow(store, "foo.com")).isSameAs(first);
    }

    @Test
    void map_rotatedCertificate_getsANewContext() throws Exception {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        store.publish(Map.of("foo.com", EXACT));
        SslContext first = mapNow(store, "foo.com");

        store.publish(Map.of("foo.com", CertificateGenerator.forHosts("foo.com").generate("ns/exact")));

        assertThat(mapNow(store, "foo.com")).isNotSameAs(first);
    }

    @Test
    void map_differentHosts_getTheirOwnContextsAndUnknownGetsTheDefault() throws Exception {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        store.publish(Map.of("foo.com", EXACT, "bar.foo.com", BAR));

        SslContext defaultContext = mapNow(store, null);

        assertThat(mapNow(store, "foo.com")).isNotSameAs(mapNow(store, "bar.foo.com"));
        assertThat(mapNow(store, "foo.com")).isNotSameAs(defaultContext);
        assertThat(mapNow(store, "nobody.example.org")).isSameAs(defaultContext);
    }

    @Test
    void publish_withNewDefault_servesItToUnknownHosts() throws Exception {
        CertificateStore store = CertificateStore.create(DEFAULT, builders);
        SslContext oldDefault = mapNow(store, null);
        TlsCertificate named =
                CertificateGenerator.forHosts("default.example.com").generate("ns/default-tls");

        store.publish(Map.of(), named);

        assertThat(store.certificateFor("nobody.example.org")).isSameAs(named);
        assertThat(mapNow(store, null)).isNotSameAs(oldDefault);
    }

    @Test
    void map_hostWhoseContextCannotBeBuilt_getsTheDefaultAndIsNotRebuiltPerHandshake() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CertificateStore.ContextBuilder failsForExact = (certificate, clientCas, provider) -> {
            if (certificate == EXACT) {
                attempts.incrementAndGet();
                throw new SSLException("refused by the test");
            }
            return ServerContexts.build(certificate, provider);
        };
        CertificateStore store = CertificateStore.create(DEFAULT, builders, SslProvider.JDK, failsForExact);
        store.publish(Map.of("foo.com", EXACT));
        SslContext defaultContext = mapNow(store, null);

        assertThat(mapNow(store, "foo.com")).isSameAs(defaultContext);
        assertThat(mapNow(store, "foo.com")).isSameAs(defaultContext);
        assertThat(attempts).hasValue(1);
    }

    @Test
    void map_builderExecutorRejects_failsTheHandshakeInsteadOfThrowing() {
        CertificateStore store = CertificateStore.create(DEFAULT, task -> {
            throw new RejectedExecutionException("shutting down");
        });
        store.publish(Map.of("foo.com", EXACT));
        Promise<SslContext> promise = ImmediateEventExecutor.INSTANCE.newPromise();

        store.map("foo.com", promise);

        assertThat(promise.cause()).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void provider_isOpenSslWhenItsNativeLibraryLoads() {
        CertificateStore store = CertificateStore.create(DEFAULT);

        assertThat(store.provider()).isEqualTo(OpenSsl.isAvailable() ? "OpenSSL" : "JDK");
    }
}
