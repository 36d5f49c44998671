package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The known HTTP/2 floods and stalls, each driven with hand-built frames on a real socket, plus the connection-level
 * limits and the graceful drain. (SETTINGS and PING floods: {@link Http2ControlFrameTest}.)
 */
final class Http2FloodTest extends RawH2Test {

    private static final long ENHANCE_YOUR_CALM = 0xb;
    /** HEADERS then RST_STREAM for {@code count} streams from {@code first}, in one write. */
    private static void openAndReset(RawH2 h2, int first, int count) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            int id = first + 2 * i;
            bytes.write(RawH2.frameBytes(
                    RawH2.HEADERS,
                    RawH2.END_HEADERS | RawH2.END_STREAM,
                    id,
                    h2.block(id, RawH2.request("GET", "app.test", "/echo"))));
            bytes.write(RawH2.frameBytes(RawH2.RST_STREAM, 0, id, RawH2.int32(8))); // CANCEL
        }
        h2.writeRaw(bytes.toByteArray());
    }

    @Test
    void rapidReset_streamsResetAtOnce_costNoOriginRequest_andTheConnectionCarriesOn() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            openAndReset(h2, 1, 150);
            h2.headers(301, RawH2.request("GET", "app.test", "/echo"), true);

            assertThat(h2.replies(List.of(301)).get(301).status()).isEqualTo("200");
            assertThat(fixture.origins.get(0).requests.get()).isEqualTo(1);
        }
    }

    @Test
    void rapidReset_pastTheBudget_getsGoAwayEnhanceYourCalm() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            openAndReset(h2, 1, H2Pipeline.MAX_RESETS + 50);

            RawH2.Frame goAway = h2.awaitGoAway();

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(h2.awaitClose()).isFalse(); // then the connection ends
            assertThat(fixture.origins.get(0).requests.get()).isZero();
        }
    }

    @Test
    void aStreamError_resetsTheStreamWithItsOwnCode_andTheConnectionCarriesOn() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(RawH2.frameBytes(
                    RawH2.HEADERS,
                    RawH2.END_HEADERS | RawH2.END_STREAM,
                    1,
                    h2.block(1, RawH2.request("GET", "app.test", "/echo"))));
            bytes.write(RawH2.frameBytes(RawH2.WINDOW_UPDATE, 0, 1, RawH2.int32(Integer.MAX_VALUE))); // overflows
            h2.writeRaw(bytes.toByteArray());
            h2.headers(3, RawH2.request("GET", "app.test", "/echo"), true);

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3));

            assertThat(replies.get(1).reset).isEqualTo(3L); // FLOW_CONTROL_ERROR, not the CANCEL of a closed stream
            assertThat(replies.get(3).status()).isEqualTo("200");
        }
    }

    /**
     * MadeYouReset (CVE-2025-55163): a client that makes the server reset its streams gets around a budget on the
     * resets it sends itself. The resets Usher sends have the same budget: past it, GOAWAY. The provocations: a
     * WINDOW_UPDATE that overflows the stream's window (RST_STREAM FLOW_CONTROL_ERROR), and request heads that cannot
     * become an HTTP/1.1 request line (RST_STREAM PROTOCOL_ERROR; a reset by closing the stream would say CANCEL, which
     * the budget does not count).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"window overflow", "method not a token", "space in path"})
    void madeYouReset_serverResetsPastTheBudget_getGoAwayEnhanceYourCalm(String provocation) throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = 0; i < H2Pipeline.MAX_RESETS + 50; i++) {
                int id = 1 + 2 * i;
                Http2Headers head =
                        switch (provocation) {
                            case "method not a token" -> RawH2.request("GET /x", "app.test", "/echo");
                            case "space in path" -> RawH2.request("GET", "app.test", "/echo HTTP/1.1");
                            default -> RawH2.request("GET", "app.test", "/echo");
                        };
                bytes.write(
                        RawH2.frameBytes(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, id, h2.block(id, head)));
                if (provocation.equals("window overflow")) {
                    bytes.write(RawH2.frameBytes(RawH2.WINDOW_UPDATE, 0, id, RawH2.int32(Integer.MAX_VALUE)));
                }
            }
            h2.writeRaw(bytes.toByteArray());

            RawH2.Frame goAway = h2.awaitGoAway();

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(h2.awaitClose()).isFalse();
            assertThat(fixture.origins.get(0).requests.get()).isZero(); // reset in the batch that opened them
        }
    }

    @Test
    void continuationFlood_theHeaderBlockIsCappedInBytes_andTheConnectionClosed() throws Exception {
        ProxySettings settings = ProxySettings.builder().maxHeaderSize(4096).build();
        try (RawH2 h2 = connect(settings)) {
            byte[] head = h2.block(1, RawH2.request("GET", "app.test", "/echo"));
            h2.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, head); // no END_HEADERS: CONTINUATION must follow
            byte[] crumb = new byte[1024];
            java.util.Arrays.fill(crumb, (byte) 0x40); // never decoded: the block is only read whole
            boolean writeFailed = false;
            try {
                for (int i = 0; i < 512 && !writeFailed; i++) { // 512 KiB, 100 times the allowed block
                    h2.frame(RawH2.CONTINUATION, 0, 1, crumb);
                }
            } catch (IOException e) {
                writeFailed = true; // the server had closed the connection already
            }

            RawH2.Frame goAway = writeFailed ? null : h2.awaitGoAway();

            assertThat(writeFailed || goAway != null).isTrue();
            assertThat(fixture.origins.get(0).requests.get()).isZero();
        }
    }

    @Test
    void emptyContinuationFlood_theHeaderBlockIsCappedInFrames() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            byte[] head = h2.block(1, RawH2.request("GET", "app.test", "/echo"));
            h2.frame(RawH2.HEADERS, RawH2.END_STREAM, 1, head);
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < H2FrameGuard.MAX_CONTINUATIONS + 10; i++) {
                flood.write(RawH2.frameBytes(RawH2.CONTINUATION, 0, 1, new byte[0])); // no bytes, only frames
            }
            h2.writeRaw(flood.toByteArray());

            RawH2.Frame goAway = h2.awaitGoAway();

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(fixture.origins.get(0).requests.get()).isZero();
        }
    }

    @Test
    void emptyDataFrameFlood_getsGoAway() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(1, RawH2.request("POST", "app.test", "/count"), false);
            for (int i = 0; i < H2Pipeline.MAX_EMPTY_DATA_FRAMES + 5; i++) {
                h2.data(1, new byte[0], false);
            }

            RawH2.Frame goAway = h2.awaitGoAway();

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
        }
    }

    @Test
    void aStreamThatNeverEnds_isBoundByTheBodyTimeout() throws Exception {
        ProxySettings settings = ProxySettings.builder()
                .clientBodyTimeout(Duration.ofMillis(300))
                .build();
        try (RawH2 h2 = connect(settings)) {
            h2.headers(1, RawH2.request("POST", "app.test", "/count"), false);
            h2.data(1, new byte[100], false); // and then nothing, never END_STREAM

            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(reply.status()).isEqualTo("408");
            assertThat(fixture.origins.get(0).requests.get()).isZero();
        }
    }

    /** The streams of a connection share one timer task; each still times out on its own, and only itself. */
    @Test
    void stalledStreams_timeOutOneByOne_whileTheirNeighboursAreAnswered() throws Exception {
        ProxySettings settings = ProxySettings.builder()
                .clientBodyTimeout(Duration.ofMillis(300))
                .build();
        try (RawH2 h2 = connect(settings)) {
            h2.headers(1, RawH2.request("POST", "app.test", "/count"), false);
            h2.data(1, new byte[100], false); // then nothing
            h2.headers(3, RawH2.request("GET", "app.test", "/echo"), true);
            h2.headers(5, RawH2.request("POST", "app.test", "/count"), false);
            h2.data(5, new byte[10], false); // then nothing

            Map<Integer, RawH2.Reply> replies = h2.replies(List.of(1, 3, 5));
            h2.headers(7, RawH2.request("GET", "app.test", "/echo"), true); // the connection carries on

            assertThat(replies.get(1).status()).isEqualTo("408");
            assertThat(replies.get(3).status()).isEqualTo("200");
            assertThat(replies.get(5).status()).isEqualTo("408");
            assertThat(h2.replies(List.of(7)).get(7).status()).isEqualTo("200");
            assertThat(fixture.origins.get(0).requests.get()).isEqualTo(2);
        }
    }

    @Test
    void settings_announceMaxConcurrentStreams() throws Exception {
        try (RawH2 h2 =
                connect(ProxySettings.builder().http2MaxConcurrentStreams(7).build())) {
            RawH2.Frame settings = h2.read();

            assertThat(settings.type()).isEqualTo(RawH2.SETTINGS);
            java.util.Map<Integer, Long> values = new java.util.HashMap<>();
            byte[] b = settings.payload();
            for (int i = 0; i + 6 <= b.length; i += 6) {
                values.put(
                        ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff),
                        ((b[i + 2] & 0xffL) << 24)
                                | ((b[i + 3] & 0xff) << 16)
                                | ((b[i + 4] & 0xff) << 8)
                                | (b[i + 5] & 0xff));
            }
            assertThat(values)
                    .containsEntry(0x3, 7L)
                    .containsEntry(0x6, 16L * 1024)
                    .containsEntry(0x4, (long) H2Pipeline.STREAM_WINDOW);
        }
    }

    @Test
    void drain_sendsGoAway_andLetsTheOpenStreamFinish() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.headers(1, RawH2.request("GET", "app.test", "/held"), true);
            await().until(() -> fixture.origins.get(0).held.get() == 1);

            CompletableFuture<Void> drained =
                    CompletableFuture.runAsync(() -> fixture.proxy.drain(Duration.ofSeconds(20)));
            RawH2.Frame goAway = h2.awaitGoAway();
            fixture.origins.get(0).releaseHeld();
            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isZero();
            assertThat(reply.status()).isEqualTo("200");
            assertThat(reply.text()).startsWith("held");
            drained.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
