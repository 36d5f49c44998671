package dev.usher.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1 encoders report a failed allocation themselves (their pipelines' guard adds no listener to each write):
 * the connection that hit it closes and the failure is counted, as with the write-watching guard of HTTP/2.
 */
final class AllocationGuardTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AllocationGuard guard = guard(registry);

    static AllocationGuard guard(MeterRegistry registry) {
        return new AllocationGuard(new ProxyMetrics(registry, List.of()));
    }

    /** Every buffer allocation fails, as one does when direct memory is exhausted. */
    private static final class Exhausted extends AbstractByteBufAllocator {

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            throw new OutOfMemoryError("injected: failed to allocate direct memory");
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            throw new OutOfMemoryError("injected: failed to allocate direct memory");
        }
    }

    private double failures() {
        return registry.get("usher.allocation.failures").counter().count();
    }

    @Test
    void responseEncoderAllocationFailure_closesTheClientConnection_andIsCounted() {
        EmbeddedChannel ch = new EmbeddedChannel(new ResponseEncoder(guard), guard.encoderChecked());
        ch.config().setAllocator(new Exhausted());

        ChannelFuture written = ch.writeOneOutbound(
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));

        assertThat(written.isSuccess()).isFalse();
        assertThat(ch.isOpen()).isFalse();
        assertThat(failures()).isEqualTo(1.0);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void originRequestEncoderAllocationFailure_closesTheOriginConnection_andIsCounted() {
        EmbeddedChannel ch = new EmbeddedChannel(new OriginRequestEncoder(guard), guard.encoderChecked());
        ch.config().setAllocator(new Exhausted());

        ch.writeOneOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));

        assertThat(ch.isOpen()).isFalse();
        assertThat(failures()).isEqualTo(1.0);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anEncoderThatThrows_closesTheConnection_withoutCountingAnAllocationFailure() {
        EmbeddedChannel ch = new EmbeddedChannel(new ResponseEncoder(guard), guard.encoderChecked());

        // a body before any head: the encoder refuses it, and a keep-alive client would otherwise wait for nothing
        ChannelFuture written = ch.writeOneOutbound(new DefaultHttpContent(Unpooled.copiedBuffer("x", US_ASCII)));

        assertThat(written.isSuccess()).isFalse();
        assertThat(ch.isOpen()).isFalse();
        assertThat(failures()).isZero();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMessageTheEncoderDoesNotTake_leavesTheConnectionToItsHandler() {
        EmbeddedChannel ch = new EmbeddedChannel(new ResponseEncoder(guard), guard.encoderChecked());

        ChannelFuture written = ch.writeOneOutbound("not an HTTP message");

        assertThat(written.isSuccess()).isFalse();
        assertThat(ch.isOpen()).isTrue();
        assertThat(failures()).isZero();
        ch.finishAndReleaseAll();
    }
}
