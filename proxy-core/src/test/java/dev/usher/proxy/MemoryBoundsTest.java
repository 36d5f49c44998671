package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What one connection may hold, and what happens when memory runs out: clients that stop reading a large response hold
 * about one write-buffer high water mark plus one origin read each, and a failed allocation ends only the connection
 * that hit it (counted in {@code usher_allocation_failures_total}).
 */
final class MemoryBoundsTest {

    private static final int STALLED = 40;
    /** Far more than loopback socket buffers take per connection (tcp_rmem may autotune to 32 MiB, seen ~10 MiB). */
    private static final long RESPONSE_BYTES = 64_000_000L;

    private static final long PER_CONNECTION_BOUND = 256 * 1024; // 64 KiB high water mark + one 64 KiB read, x2

    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void stalledReaders_ofALargeResponse_eachHoldAboutAWatermarkAndOneRead() throws Exception {
        // Usher's client and origin connections get an allocator of their own that counts the direct memory of its
        // live buffers exactly: the pooled default counts the chunks it reserved, which grow with contention (a CI
        // run beside two busy cores saw 17.5 MB reserved here), and it also holds this JVM's test origin's buffers.
        UnpooledByteBufAllocator counted = new UnpooledByteBufAllocator(true);
        fixture = new ProxyFixture(1, ProxySettings.defaults(), b -> b.allocator(counted));
        TestOrigin origin = fixture.origins.get(0);
        long baseline = counted.metric().usedDirectMemory();
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < STALLED; i++) {
                Socket s = new Socket();
                s.setReceiveBufferSize(4096); // the client reads nothing; a small window stalls it sooner
                s.connect(new InetSocketAddress("127.0.0.1", fixture.proxy.httpPort()));
                s.getOutputStream()
                        .write(("GET /big?bytes=" + RESPONSE_BYTES + " HTTP/1.1\r\nHost: app.test\r\n\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                stalled.add(s);
            }
            // The origin stops making progress once every path is full: socket buffers, then Usher's bounds.
            long[] last = {-1};
            await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        long now = origin.streamedBytes.get();
                        boolean still = now == last[0];
                        last[0] = now;
                        return still && origin.requests.get() == STALLED;
                    });

            long held = counted.metric().usedDirectMemory() - baseline;
            System.out.printf(
                    "stalled readers: %d clients, origin sent %d bytes, Usher holds %d bytes of direct "
                            + "memory (%d per connection)%n",
                    STALLED, origin.streamedBytes.get(), held, held / STALLED);
            // Backpressure reached the origin: it could not send everything. (How much it did send is the kernel's
            // business: loopback socket buffers autotune to several MiB per direction and connection.)
            assertThat(origin.streamedBytes.get()).isLessThan(STALLED * RESPONSE_BYTES);
            assertThat(held).isLessThan(STALLED * PER_CONNECTION_BOUND);
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
    }

    @Test
    void allocationFailure_closesOnlyTheConnectionThatHitIt_andIsCounted() throws Exception {
        FailingAllocator allocator = new FailingAllocator();
        fixture = new ProxyFixture(1, ProxySettings.defaults(), b -> b.allocator(allocator));
        try (RawHttp bystander = new RawHttp(fixture.proxy.httpPort())) {
            bystander.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(bystander.readResponse()).startsWith("HTTP/1.1 200");

            allocator.failNext.set(1);
            try (RawHttp victim = new RawHttp(fixture.proxy.httpPort())) {
                victim.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");

                assertThat(victim.readUntilClose()).isIn("", "<<reset>>");
            }

            assertThat(fixture.registry
                            .get("usher.allocation.failures")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
            bystander.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(bystander.readResponse()).startsWith("HTTP/1.1 200");
            assertThat(fixture.get("app.test", "/echo").statusCode()).isEqualTo(200);
        }
    }

    /** Netty's default allocator, except that the next {@code failNext} allocations throw as direct memory does. */
    private static final class FailingAllocator implements ByteBufAllocator {
        final AtomicInteger failNext = new AtomicInteger();
        private final ByteBufAllocator delegate = ByteBufAllocator.DEFAULT;

        private void maybeFail() {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new OutOfMemoryError("injected: failed to allocate direct memory");
            }
        }

        @Override
        public ByteBuf buffer() {
            maybeFail();
            return delegate.buffer();
        }

        @Override
        public ByteBuf buffer(int initialCapacity) {
            maybeFail();
            return delegate.buffer(initialCapacity);
        }

        @Override
        public ByteBuf buffer(int initialCapacity, int maxCapacity) {
            maybeFail();
            return delegate.buffer(initialCapacity, maxCapacity);
        }

        @Override
        public ByteBuf ioBuffer() {
            maybeFail();
            return delegate.ioBuffer();
        }

        @Override
        public ByteBuf ioBuffer(int initialCapacity) {
            maybeFail();
            return delegate.ioBuffer(initialCapacity);
        }

        @Override
        public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
            maybeFail();
            return delegate.ioBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public ByteBuf heapBuffer() {
            return delegate.heapBuffer();
        }

        @Override
        public ByteBuf heapBuffer(int initialCapacity) {
            return delegate.heapBuffer(initialCapacity);
        }

        @Override
        public ByteBuf heapBuffer(int initialCapacity, int maxCapacity) {
            return delegate.heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public ByteBuf directBuffer() {
            maybeFail();
            return delegate.directBuffer();
        }

        @Override
        public ByteBuf directBuffer(int initialCapacity) {
            maybeFail();
            return delegate.directBuffer(initialCapacity);
        }

        @Override
        public ByteBuf directBuffer(int initialCapacity, int maxCapacity) {
            maybeFail();
            return delegate.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public CompositeByteBuf compositeBuffer() {
            return delegate.compositeBuffer();
        }

        @Override
        public CompositeByteBuf compositeBuffer(int maxNumComponents) {
            return delegate.compositeBuffer(maxNumComponents);
        }

        @Override
        public CompositeByteBuf compositeHeapBuffer() {
            return delegate.compositeHeapBuffer();
        }

        @Override
        public CompositeByteBuf compositeHeapBuffer(int maxNumComponents) {
            return delegate.compositeHeapBuffer(maxNumComponents);
        }

        @Override
        public CompositeByteBuf compositeDirectBuffer() {
            return delegate.compositeDirectBuffer();
        }

        @Override
        public CompositeByteBuf compositeDirectBuffer(int maxNumComponents) {
            return delegate.compositeDirectBuffer(maxNumComponents);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return delegate.isDirectBufferPooled();
        }

        @Override
        public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
            return delegate.calculateNewCapacity(minNewCapacity, maxCapacity);
        }
    }
}
