package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SETTINGS and PING floods and odd SETTINGS frames, driven with hand-built frames on a real socket. Every PING and
 * SETTINGS frame obliges the server to answer with an ACK; a client that sends them without reading the answers
 * makes them pile up in the server's memory once the socket buffers are full. {@link H2FrameGuard} ends such a
 * connection after {@link H2FrameGuard#MAX_UNREAD_CONTROL} frames taken while it is unwritable (the codec's limit of
 * {@link H2Pipeline#MAX_QUEUED_CONTROL_FRAMES} queued answers is the backstop); the flooding client here reads
 * nothing and has a small receive buffer, so that happens after the kernel's socket buffers, a few megabytes.
 */
final class Http2ControlFrameTest extends RawH2Test {

    /** What a flooder may write before it is cut off: far more than socket buffers plus the queued-answer limit. */
    private static final long FLOOD_CAP = 64L * 1024 * 1024;

    private static final int FRAMES_PER_WRITE = 1024;
    private static final long FLOW_CONTROL_ERROR = 0x3;
    private static final long PROTOCOL_ERROR = 0x1;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void pingFlood_withoutReadingTheAcks_endsTheConnection_whileAWellBehavedOneWorks() throws Exception {
        flood(RawH2.PING, new byte[8]);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void settingsFlood_withoutReadingTheAcks_endsTheConnection_whileAWellBehavedOneWorks() throws Exception {
        flood(RawH2.SETTINGS, new byte[0]);
    }

    /**
     * Writes {@code type} frames without ever reading, until the server ends the connection (a write fails), on one
     * connection; a second connection on the same listener, opened mid-flood, gets its answer.
     */
    private void flood(int type, byte[] payload) throws Exception {
        try (RawH2 good = connect(ProxySettings.defaults());
                RawH2 flooder = RawH2.connect(fixture.proxy.httpPort(), 4096)) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < FRAMES_PER_WRITE; i++) {
                batch.write(RawH2.frameBytes(type, 0, 0, payload));
            }
            byte[] frames = batch.toByteArray();
            AtomicLong written = new AtomicLong();
            CompletableFuture<Boolean> cutOff = CompletableFuture.supplyAsync(() -> {
                try {
                    while (written.get() < FLOOD_CAP) {
                        flooder.writeRaw(frames);
                        written.addAndGet(frames.length);
                    }
                    return false;
                } catch (IOException e) {
                    return true; // the server closed the connection
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> written.get() >= 1024 * 1024 || cutOff.isDone());

            good.headers(1, RawH2.request("GET", "app.test", "/echo"), true);
            RawH2.Reply reply = good.replies(List.of(1)).get(1);

            assertThat(reply.status()).isEqualTo("200");
            assertThat(cutOff.get(100, TimeUnit.SECONDS))
                    .as("flooder cut off before %d bytes", FLOOD_CAP)
                    .isTrue();
            assertThat(written.get()).isLessThan(FLOOD_CAP);
            good.headers(3, RawH2.request("GET", "app.test", "/echo"), true);
            assertThat(good.replies(List.of(3)).get(3).status()).isEqualTo("200");
        }
    }

    @Test
    void settingsWithManyUnknownParameters_areIgnored_andAcknowledged() throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            ByteArrayOutputStream params = new ByteArrayOutputStream();
            for (int i = 0; i < 2_000; i++) { // 12,000 bytes: within the default 16 KiB frame size
                params.write(setting(0x100 + i, 0xffffffffL)); // RFC 9113 §6.5.2: unknown identifiers are ignored
            }
            params.write(setting(0x6, 0xffffffffL)); // MAX_HEADER_LIST_SIZE: any 32-bit value is allowed
            h2.frame(RawH2.SETTINGS, 0, 0, params.toByteArray());
            h2.headers(1, RawH2.request("GET", "app.test", "/echo"), true);

            boolean acked = false;
            for (RawH2.Frame f; !acked && (f = h2.read()) != null; ) {
                acked = f.type() == RawH2.SETTINGS && (f.flags() & 1) != 0;
            }
            RawH2.Reply reply = h2.replies(List.of(1)).get(1);

            assertThat(acked).isTrue();
            assertThat(reply.status()).isEqualTo("200");
        }
    }

    @Test
    void initialWindowSizeAbove2To31Minus1_isAFlowControlError() throws Exception {
        assertGoAway(setting(0x4, 0x80000000L), FLOW_CONTROL_ERROR); // RFC 9113 §6.5.2
    }

    @Test
    void maxFrameSizeAboveTheLargestAllowed_isAProtocolError() throws Exception {
        assertGoAway(setting(0x5, 1 << 24), PROTOCOL_ERROR); // must stay below 2^24
    }

    @Test
    void maxFrameSizeBelowTheDefault_isAProtocolError() throws Exception {
        assertGoAway(setting(0x5, 16_383), PROTOCOL_ERROR); // must be at least 16,384
    }

    @Test
    void enablePushOtherThanZeroOrOne_isAProtocolError() throws Exception {
        assertGoAway(setting(0x2, 2), PROTOCOL_ERROR);
    }

    @Test
    void aSettingsFrameWhoseLengthIsNotAMultipleOfSix_isAFrameSizeError() throws Exception {
        assertGoAway(new byte[7], 0x6); // FRAME_SIZE_ERROR, §6.5
    }

    private void assertGoAway(byte[] settingsPayload, long error) throws Exception {
        try (RawH2 h2 = connect(ProxySettings.defaults())) {
            h2.frame(RawH2.SETTINGS, 0, 0, settingsPayload);

            RawH2.Frame goAway = h2.awaitGoAway();

            assertThat(goAway).isNotNull();
            assertThat(goAway.errorCode()).isEqualTo(error);
            assertThat(h2.awaitClose()).isFalse();
            assertThat(fixture.origins.get(0).requests.get()).isZero();
        }
    }

    private static byte[] setting(int id, long value) {
        return new byte[] {
            (byte) (id >>> 8),
            (byte) id,
            (byte) (value >>> 24),
            (byte) (value >>> 16),
            (byte) (value >>> 8),
            (byte) value
        };
    }
}
