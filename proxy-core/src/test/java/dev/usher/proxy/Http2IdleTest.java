package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The idle timeout of an HTTP/2 client connection: with no stream open for {@code clientIdleTimeout} the connection
 * gets GOAWAY and is closed; a stream that stays open longer than that (a slow origin) is never cut off by it, and
 * the time counts from the last stream's end.
 */
final class Http2IdleTest extends RawH2Test {

    private static final ProxySettings SHORT_IDLE =
            ProxySettings.builder().clientIdleTimeout(Duration.ofMillis(300)).build();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void connectionWithoutStreams_getsGoAwayAndIsClosed() throws Exception {
        try (RawH2 client = connect(SHORT_IDLE)) {
            client.headers(1, RawH2.request("GET", "app.test", "/echo"), true);
            assertThat(client.replies(List.of(1)).get(1).status()).isEqualTo("200");

            assertThat(client.awaitClose()).as("GOAWAY before the close").isTrue();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void streamsOpenLongerThanTheIdleTimeout_areNotCutOff() throws Exception {
        try (RawH2 client = connect(SHORT_IDLE)) {
            // three slow streams one after the other: the connection is busy for about 3 idle timeouts in a row,
            // with a moment of no open stream between them that must not close it either
            for (int stream = 1; stream <= 5; stream += 2) {
                client.headers(stream, RawH2.request("GET", "app.test", "/slow?ms=400"), true);
                RawH2.Reply reply = client.replies(List.of(stream)).get(stream);
                assertThat(reply.status()).as("stream %d", stream).isEqualTo("200");
                assertThat(reply.text()).startsWith("slow");
            }

            assertThat(client.awaitClose()).as("GOAWAY before the close").isTrue();
        }
    }
}
