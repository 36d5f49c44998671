package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shutdown path the SIGTERM hook of {@code usher run} takes ({@link Controller#close()}): not ready at once,
 * serving on through the shutdown delay (held open by the test, not timed), then the drain.
 */
final class ShutdownDelayTest {

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private final CountDownLatch delayStarted = new CountDownLatch(1);
    private final CountDownLatch delayOver = new CountDownLatch(1);
    private final AtomicReference<Duration> pausedFor = new AtomicReference<>();
    private Controller controller;
    private Thread shutdown;

    @BeforeEach
    void start() throws IOException {
        ExampleOrigins.serve(manifests, origins);
        ControllerConfig config = ControllerConfig.builder()
                .manifests(manifests)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(-1)
                .adminPort(0)
                .drainTimeout(Duration.ofSeconds(2))
                .shutdownDelay(Duration.ofHours(1))
                .build();
        controller = Controller.start(
                config,
                () -> {
                    throw new AssertionError("manifests mode needs no API server");
                },
                delay -> {
                    pausedFor.set(delay);
                    delayStarted.countDown();
                    delayOver.await();
                });
        shutdown = new Thread(controller::close, "test-shutdown");
    }

    @AfterEach
    void stop() throws InterruptedException {
        delayOver.countDown();
        controller.close();
        if (shutdown.isAlive()) {
            shutdown.join();
        }
        origins.forEach(EchoServer::close);
    }

    private int readyz() throws Exception {
        return client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.adminPort() + "/readyz"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void shutdown_turnsReadyzTo503AtOnce_servesThroughTheDelay_thenDrains() throws Exception {
        int port = controller.httpPort();
        assertThat(readyz()).isEqualTo(200);
        try (KeepAliveClient keepAlive = new KeepAliveClient(port)) {
            assertThat(keepAlive.get("alpaca.example.com", "/").status()).isEqualTo(200);

            shutdown.start();
            delayStarted.await();

            assertThat(pausedFor.get()).isEqualTo(Duration.ofHours(1));
            assertThat(readyz()).isEqualTo(503);
            assertThat(controller.ready()).isFalse();
            // Both an open keep-alive connection and a new connection are served as usual, without Connection: close.
            RawHttp.Response again = keepAlive.get("alpaca.example.com", "/");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.head().toLowerCase(Locale.ROOT)).doesNotContain("connection: close");
            assertThat(RawHttp.get(port, "bandicoot.example.com", "/").status()).isEqualTo(200);
            assertThat(shutdown.isAlive()).isTrue();

            delayOver.countDown();
            shutdown.join();
        }
        assertThatThrownBy(() -> RawHttp.get(port, "alpaca.example.com", "/")).isInstanceOf(IOException.class);
    }

    @Test
    void zeroShutdownDelay_drainsAtOnce() throws Exception {
        Controller immediate = Controller.start(
                ControllerConfig.builder()
                        .manifests(manifests)
                        .bindAddress("127.0.0.1")
                        .httpPort(0)
                        .httpsPort(-1)
                        .adminPort(0)
                        .shutdownDelay(Duration.ZERO)
                        .build(),
                () -> {
                    throw new AssertionError("manifests mode needs no API server");
                },
                delay -> {
                    throw new AssertionError("no delay expected");
                });
        int port = immediate.httpPort();

        immediate.close();

        assertThatThrownBy(() -> RawHttp.get(port, "alpaca.example.com", "/")).isInstanceOf(IOException.class);
    }
}
