package dev.usher.deploy;

import dev.usher.k8s.MockApiServer;
import dev.usher.proxy.echo.EchoServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up most cluster-mode end-to-end tests share: fabric8's mock API server in CRUD mode ({@link MockApiServer}),
 * the echo origin {@code alpaca} behind Service alpaca ({@link #createAlpaca}), and the controller a test starts
 * ({@link #start}). After each test it closes the controller, then alpaca, then the API server, in that order (the
 * informers' watches must close before the server does). Use: {@code @RegisterExtension final AlpacaCluster cluster =
 * new AlpacaCluster();} - one per test, as JUnit makes a test instance per test.
 */
final class AlpacaCluster implements AfterEachCallback {

    private final MockApiServer api = new MockApiServer();
    private final EchoServer alpaca =
            EchoServer.builder().name("alpaca").build().start();
    private @Nullable Controller controller;

    KubernetesClient client() {
        return api.client();
    }

    /** The echo origin behind Service alpaca, on a loopback port. */
    EchoServer alpaca() {
        return alpaca;
    }

    /** Creates the IngressClass, Service alpaca, its EndpointSlice (the echo origin) and host-ingress. */
    void createAlpaca() {
        ClusterFixture.createAlpaca(client(), ClusterFixture.alpacaSlice(alpaca.port()));
    }

    /** Starts the launcher with {@link ClusterFixture#config()}'s settings and waits until it is ready. */
    Controller start() throws IOException {
        controller = ClusterFixture.startReady(ClusterFixture.config().build(), client());
        return controller;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (controller != null) {
                controller.close();
            }
            alpaca.close();
        } finally {
            api.afterEach(context);
        }
    }
}
