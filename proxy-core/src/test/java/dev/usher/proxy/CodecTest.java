package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
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

        assertThat(String.join("", drain(ch))).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n");
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
        List<String> buffers = drain(ch);
        assertThat(String.join("", buffers)).endsWith("\r\n\r\n" + large);
        assertThat(buffers).hasSize(2); // not copied: written behind the head as it is
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void responseEncoder_writesTheBytesNettysEncoderWrites_forEveryKindOfWholeResponse() {
        String manyFields = "v".repeat(40);
        for (HttpResponseStatus status : List.of(
                HttpResponseStatus.OK,
                HttpResponseStatus.NOT_FOUND,
                HttpResponseStatus.NO_CONTENT,
                HttpResponseStatus.RESET_CONTENT,
                HttpResponseStatus.NOT_MODIFIED,
                HttpResponseStatus.CONTINUE)) {
            for (int length : new int[] {0, 1, 100, 129, 700, ResponseEncoder.COPY_BODY_LIMIT}) {
                for (int fields : new int[] {0, 2, 30}) {
                    for (boolean chunked : new boolean[] {false, true}) {
                        Supplier<DefaultFullHttpResponse> response = () -> {
                            DefaultFullHttpResponse r = sized("b".repeat(length));
                            r.setStatus(status);
                            for (int i = 0; i < fields; i++) {
                                r.headers().add("x-field-" + i, manyFields);
                            }
                            if (chunked) {
                                r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
                                r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
                            }
                            return r;
                        };
                        ResponseEncoder encoder =
                                new ResponseEncoder(AllocationGuardTest.guard(new SimpleMeterRegistry()));
                        // several in a row: the head size estimate is carried from one response to the next
                        List<String> usher = encodeAll(encoder, response, 3);
                        List<String> netty = encodeAll(new HttpResponseEncoder(), response, 3);

                        assertThat(String.join("", usher))
                                .as("%s, %d-byte body, %d fields, chunked %s", status, length, fields, chunked)
                                .isEqualTo(String.join("", netty));
                        if (!chunked) {
                            assertThat(usher).hasSize(3); // one buffer per response
                        }
                    }
                }
            }
        }
    }

    @Test
    void responseEncoder_wholeResponseAfterAnUnfinishedHead_failsAsInNettysEncoder_andClosesTheConnection() {
        ResponseEncoder encoder = new ResponseEncoder(AllocationGuardTest.guard(new SimpleMeterRegistry()));
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        ch.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        DefaultFullHttpResponse whole = sized("late");

        assertThatThrownBy(() -> ch.writeOutbound(whole)).hasMessageContaining("unexpected message type");
        assertThat(whole.refCnt()).isZero();

        // the head went out without its body: nothing can follow it on this connection
        assertThat(ch.isOpen()).isFalse();
        assertThat(String.join("", drain(ch))).isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    /** Writes {@code count} responses through the encoder; what each write produced, as text. */
    private static List<String> encodeAll(
            ChannelHandler encoder, Supplier<DefaultFullHttpResponse> response, int count) {
        EmbeddedChannel ch = new EmbeddedChannel(encoder);
        List<String> buffers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ch.writeOutbound(response.get());
            buffers.addAll(drain(ch));
        }
        assertThat(ch.finishAndReleaseAll()).isFalse();
        return buffers;
    }

    /** The buffers written so far, as text, each released. */
    private static List<String> drain(EmbeddedChannel ch) {
        List<String> buffers = new ArrayList<>();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            buffers.add(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return buffers;
    }

    private static DefaultFullHttpResponse sized(String body) {
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.copiedBuffer(body, StandardCharsets.ISO_8859_1));
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return response;
    }
}
