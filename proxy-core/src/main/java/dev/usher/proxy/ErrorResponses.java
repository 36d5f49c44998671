package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Usher's own small responses: {@code text/plain}, a status line and a short reason, always with a length. */
final class ErrorResponses {

    static final String SERVER = "usher";

    private ErrorResponses() {}

    /**
     * A complete response with body {@code "<code> <reason phrase>: <detail>\n"}.
     *
     * @param headRequest no body is sent for HEAD, but the length is what GET would have returned
     * @param close adds {@code Connection: close}
     * @param grpc the request is a gRPC call: the answer is a trailers-only gRPC status instead ({@link Grpc})
     */
    static FullHttpResponse of(
            ByteBufAllocator alloc,
            HttpResponseStatus status,
            String detail,
            boolean headRequest,
            boolean close,
            boolean grpc) {
        if (grpc) {
            return Grpc.trailersOnly(status, detail, close);
        }
        byte[] text =
                (status.code() + " " + status.reasonPhrase() + ": " + detail + "\n").getBytes(StandardCharsets.UTF_8);
        // Heap bytes, not the allocator's: an error answer must not need the (maybe exhausted) direct memory.
        ByteBuf body = headRequest ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length)
                .set(HttpHeaderNames.SERVER, SERVER)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /**
     * Usher's own answer to a request it does not proxy: the decision's status and reason, with its {@code Location}
     * (a redirect) or {@code WWW-Authenticate} (401) when it has one (a gRPC call gets them too, beside its
     * status). Both values were validated before they got here
     * (hosts by Admission, annotation values by the translator), so neither can split a header.
     */
    static FullHttpResponse local(
            ByteBufAllocator alloc, Admission.Decision decision, boolean headRequest, boolean grpc) {
        FullHttpResponse response = of(
                alloc,
                Objects.requireNonNull(decision.status(), "a local reply has a status"),
                Objects.requireNonNull(decision.reason(), "and a reason"),
                headRequest,
                decision.close(),
                grpc);
        if (decision.location() != null) {
            response.headers().set(HttpHeaderNames.LOCATION, decision.location());
        }
        if (decision.challenge() != null) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, decision.challenge());
        }
        return response;
    }
}
