package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 1 GiB each way through the proxy, generated on the fly, under the test JVM's 1 GiB heap: the proxy must stream with
 * backpressure. Netty's direct and heap buffer use is sampled during the transfer and must stay small.
 */
final class StreamingTest {

    private static final long GIB = 1L << 30;
    private static final long BOUND = 64L << 20;
    /** Only guards against a hang: a loaded 2-core CI machine took over 2 minutes for the chunked upload. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(15);

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        // Unlimited bodies; the upload goes to stream.test, whose Ingress turns request buffering off.
        fixture = new ProxyFixture(
                1, ProxySettings.builder().maxRequestBodyBytes(0).build());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void download_1GiB_streamsWithBoundedMemory() throws Exception {
        try (MemorySampler memory = new MemorySampler()) {
            HttpResponse<InputStream> res = fixture.client.send(
                    HttpRequest.newBuilder(fixture.uri("/big?bytes=" + GIB))
                            .header("Host", "app.test")
                            .timeout(HANG_GUARD)
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long total = 0;
            try (InputStream in = res.body()) {
                byte[] buf = new byte[256 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    total += n;
                }
            }

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(total).isEqualTo(GIB);
            System.out.println("download: peak Netty buffer memory " + memory.peak() + " bytes");
            assertThat(memory.peak()).isLessThan(BOUND);
        }
    }

    @Test
    void upload_1GiB_chunked_streamsWithBoundedMemory() throws Exception {
        try (MemorySampler memory = new MemorySampler()) {
            HttpResponse<String> res = fixture.client.send(
                    HttpRequest.newBuilder(fixture.uri("/count"))
                            .header("Host", "stream.test")
                            .timeout(HANG_GUARD)
                            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedStream(GIB)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).isEqualTo(Long.toString(GIB));
            System.out.println("upload: peak Netty buffer memory " + memory.peak() + " bytes");
            assertThat(memory.peak()).isLessThan(BOUND);
        }
    }

    /** Bytes of a given count, produced on demand. */
    private static final class GeneratedStream extends InputStream {
        private long remaining;

        GeneratedStream(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            if (remaining <= 0) {
                return -1;
            }
            remaining--;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            java.util.Arrays.fill(b, off, off + n, (byte) 'x');
            remaining -= n;
            return n;
        }
    }

    /** Samples the memory held by Netty's default allocator (direct + heap) every few milliseconds. */
    private static final class MemorySampler implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong();
        private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "memory-sampler");
            thread.setDaemon(true);
            return thread;
        });

        MemorySampler() {
            ByteBufAllocatorMetricProvider metrics = (ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT;
            sampler.scheduleAtFixedRate(
                    () -> peak.accumulateAndGet(
                            metrics.metric().usedDirectMemory()
                                    + metrics.metric().usedHeapMemory(),
                            Math::max),
                    0,
                    5,
                    TimeUnit.MILLISECONDS);
        }

        long peak() {
            return peak.get();
        }

        @Override
        public void close() {
            sampler.shutdownNow();
        }
    }
}
