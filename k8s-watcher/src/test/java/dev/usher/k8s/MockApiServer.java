package dev.usher.k8s;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * fabric8's mock API server in CRUD mode (what {@code @EnableKubernetesMockClient(crud = true)} sets up), one per
 * test, shut down only once every watch WebSocket has closed.
 *
 * <p>Why not the fabric8 extension: its {@code afterEach} destroys the server before closing the client, whatever
 * is still open. fabric8 8's mock server runs on Vert.x 5, whose {@code HttpServer.close()} is
 * {@code shutdown(Duration.ZERO)} and completes only once every connection has closed; for a WebSocket the server
 * sends a Close frame and waits up to Vert.x's {@code webSocketClosingTimeout} (10 s) for the client's answer.
 * {@code MockWebServer.shutdown()} waits a fixed 10 s for that close and then throws "Unable to close
 * MockWebServer" (neither wait is configurable). So a watch still open, or still closing, when the server goes
 * down makes the close race two 10 s timers, which a loaded machine loses: the test errors after its assertions
 * passed. Here the order is: the test closes its informers ({@code ClusterSource.close()}, in its
 * {@code @AfterEach}, which runs before this extension's {@code afterEach}), this extension awaits the server side
 * of every watch to close, then closes the client and last the server, which then has no WebSocket to wait for.
 *
 * <p>A watch can outlive its informer: fabric8's {@code Reflector.stop()} cancels the future of a watch still being
 * opened, and the callback that would close that watch once it opens then sees only the cancellation, so the watch
 * stays open until the client closes (seen in CI under load: five of a source's six watches still opening when the test,
 * its route already asserted, closed it). So past {@link #WATCHES_CLOSE_ON_THEIR_OWN} the client is closed anyway,
 * and only then must the server side see every watch closed before the server goes down; a watch still open 30 s
 * after that fails the test with an Awaitility timeout naming the open count.
 *
 * <p>Use: {@code @RegisterExtension final MockApiServer api = new MockApiServer();} and
 * {@code KubernetesClient client = api.client();}. Shared with the deploy module's tests through this module's
 * test-jar.
 */
public final class MockApiServer implements AfterEachCallback {

    /** How long closed informers get to close their own watches before the client's close ends the rest. */
    private static final Duration WATCHES_CLOSE_ON_THEIR_OWN = Duration.ofSeconds(10);

    /** How long the server side gets to see every watch closed; generous for a loaded CI machine, never slept. */
    private static final Duration WATCHES_CLOSE = Duration.ofSeconds(30);

    private final AtomicInteger openWebSockets = new AtomicInteger();
    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient client;

    // fabric8's own mock-server extension builds the server with this (deprecated) shared mapper; so do we, so that
    // the server behaves exactly as @EnableKubernetesMockClient's does.
    @SuppressWarnings("deprecation")
    public MockApiServer() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(
                new Context(Serialization.jsonMapper()),
                new MockWebServer(),
                responses,
                new CountingDispatcher(responses, openWebSockets),
                true);
        server.init();
        client = server.createClient();
    }

    /** The client of this test's server. */
    public NamespacedKubernetesClient client() {
        return client;
    }

    /** The server, for tests that read the requests it recorded. */
    public KubernetesMockServer server() {
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            try {
                await().atMost(WATCHES_CLOSE_ON_THEIR_OWN).until(openWebSockets::get, open -> open == 0);
            } catch (ConditionTimeoutException e) {
                // a watch that was still being opened when its informer stopped: closing the client ends it
            }
        } finally {
            client.close();
            try {
                await("every watch WebSocket closed on the server before it shuts down")
                        .atMost(WATCHES_CLOSE)
                        .until(openWebSockets::get, open -> open == 0);
            } finally {
                server.destroy();
            }
        }
    }

    /** fabric8's CRUD-mode dispatcher, counting the WebSockets it upgrades from open until closed or failed. */
    private static final class CountingDispatcher extends KubernetesMixedDispatcher {

        private final AtomicInteger open;

        CountingDispatcher(Map<ServerRequest, Queue<ServerResponse>> responses, AtomicInteger open) {
            super(responses);
            this.open = open;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) {
            MockResponse response = super.dispatch(request);
            WebSocketListener listener = response.getWebSocketListener();
            return listener == null ? response : response.withWebSocketUpgrade(new Counted(listener, open));
        }
    }

    /** Delegates every callback; counts the socket open from {@code onOpen} to its first close or failure. */
    private static final class Counted extends WebSocketListener {

        private final WebSocketListener delegate;
        private final AtomicInteger open;
        private final AtomicBoolean opened = new AtomicBoolean();

        Counted(WebSocketListener delegate, AtomicInteger open) {
            this.delegate = delegate;
            this.open = open;
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            delegate.onBeforeAccept(webSocket, response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            if (opened.compareAndSet(false, true)) {
                open.incrementAndGet();
            }
            delegate.onOpen(webSocket, response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            delegate.onMessage(webSocket, text);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            delegate.onMessage(webSocket, bytes);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            delegate.onClosing(webSocket, code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            try {
                delegate.onClosed(webSocket, code, reason);
            } finally {
                ended();
            }
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable error, Response response) {
            try {
                delegate.onFailure(webSocket, error, response);
            } finally {
                ended();
            }
        }

        private void ended() {
            if (opened.compareAndSet(true, false)) {
                open.decrementAndGet();
            }
        }
    }
}
