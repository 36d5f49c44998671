package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The two codec subclasses on their own, in an {@link EmbeddedChannel}. */
final class CodecTest {

    @Test
    void requestDecoder_contentLengthWithTransferEncoding_isADecodeFailure() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(ProxySettings.defaults()));

        ch.writeInbound(Unpooled.copiedBuffer(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n" + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                StandardCharsets.ISO_8859_1));

        HttpRequest request = ch.readInbound();
        assertThat(request.decoderResult().isFailure()).isTrue();
        assertThat(request.decoderResult().cause()).hasMessageContaining("Transfer-Encoding and Content-Length");
        io.netty.util.ReferenceCountUtil.release(request);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void requestDecoder_plainChunkedRequest_decodes() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(ProxySettings.defaults()));

        ch.writeInbound(Unpooled.copiedBuffer(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + "3\r\nabc\r\n0\r\n\r\n",
                StandardCharsets.ISO_8859_1));

        HttpRequest request = ch.readInbound();
        assertThat(request.decoderResult().isSuccess()).isTrue();
        io.netty.handler.codec.http.HttpContent body = ch.readInbound();
        assertThat(body.content().toString(StandardCharsets.ISO_8859_1)).isEqualTo("abc");
        body.release();
        LastHttpContent end = ch.readInbound();
        end.release();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void responseEncoder_headResponse_keepsLengthButSendsNoBody() {
        ResponseEncoder encoder = new ResponseEncoder(AllocationGuardTest.guard(new SimpleMeterRegistry()));
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        encoder.headRequest(true);
        DefaultFullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1000);

        ch.writeOutbound(response);

        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        assertThat(out.toString()).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void responseEncoder_wholeSmallResponse_leavesAsOneBuffer_aLargerOneAsHeadAndBody() {
        ResponseEncoder encoder = new ResponseEncoder(AllocationGuardTest.guard(new SimpleMeterRegistry()));
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        String small = "x".repeat(ResponseEncoder.COPY_BODY_LIMIT);
        ch.writeOutbound(sized(small));

        ByteBuf one = ch.readOutbound();
        assertThat(one.toString(StandardCharsets.ISO_8859_1))
                .isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: " + small.length() + "\r\n\r\n" + small);
        one.release();
        assertThat(ch.outboundMessages()).isEmpty(); // one write, one system call without an iovec array

        String large = "y".repeat(ResponseEncoder.COPY_BODY_LIMIT + 1);
        ch.writeOutbound(sized(large));
        StringBuilder out = new StringBuilder();
        int buffers = 0;
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
            buffers++;
        }
        assertThat(out.toString()).endsWith("\r\n\r\n" + large);
        assertThat(buffers).isEqualTo(2); // not copied: written behind the head as it is
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    private static DefaultFullHttpResponse sized(String body) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return response;
    }
}
