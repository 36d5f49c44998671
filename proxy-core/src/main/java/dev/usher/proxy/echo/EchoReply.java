package dev.usher.proxy.echo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Builds and writes one echo reply.
 *
 * <p>Padding for {@code ?size=N} comes from one shared, read-only, unreleasable 64 KiB buffer of spaces (valid JSON
 * whitespace after the object), so a large reply costs slices, never N fresh bytes. Replies that fit in one padding
 * slice go out as one full response; larger ones stream through {@code ChunkedWriteHandler}, which writes only while
 * the channel is writable.
 */
final class EchoReply {

    /** Request header asking the echo to add a response header; its value is {@code Name: value}. */
    static final String RESPONSE_HEADER = "X-Echo-Response-Header";

    static final int PAD_SIZE = 64 * 1024;
    private static final JsonFactory JSON = new JsonFactory();
    private static final ByteBuf PAD = padding();

    private EchoReply() {}

    /** Writes the reply for a complete request and returns the future of its last write. */
    static ChannelFuture write(
            ChannelHandlerContext ctx,
            HttpRequest request,
            long bodyLength,
            EchoParams params,
            EchoIdentity identity,
            long connectionId,
            boolean keepAlive) {
        if (params.error() != null) {
            return text(ctx, request, HttpResponseStatus.BAD_REQUEST, params.error() + "\n", keepAlive);
        }
        if (params.path().equals("/health")) {
            return text(ctx, request, HttpResponseStatus.OK, "ok", keepAlive);
        }
        HttpResponseStatus status = HttpResponseStatus.valueOf(params.status());
        ByteBuf json = ByteBufUtil.writeUtf8(ctx.alloc(), describe(ctx, request, bodyLength, identity, connectionId));
        long padding = Math.max(0, params.size() - json.readableBytes());
        long length = json.readableBytes() + padding;
        boolean noBody = request.method().equals(HttpMethod.HEAD) || status.code() == 204 || status.code() == 304;

        HttpResponse head = padding <= PAD_SIZE && !noBody
                ? new DefaultFullHttpResponse(
                        request.protocolVersion(), status, Unpooled.wrappedBuffer(json, PAD.retainedSlice(0, (int)
                                padding)))
                : new DefaultHttpResponse(request.protocolVersion(), status);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        if (status.code() != 204) {
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        HttpUtil.setKeepAlive(head, keepAlive);
        String problem = addRequestedHeaders(request, head);
        if (problem != null) {
            if (head instanceof DefaultFullHttpResponse full) {
                full.release();
            } else {
                json.release();
            }
            return text(ctx, request, HttpResponseStatus.BAD_REQUEST, problem + "\n", keepAlive);
        }
        if (head instanceof DefaultFullHttpResponse) {
            return ctx.writeAndFlush(head);
        }
        ctx.write(head);
        if (noBody) {
            json.release();
            return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        return ctx.writeAndFlush(new HttpChunkedInput(new PaddedBody(json, padding, PAD)));
    }

    private static ChannelFuture text(
            ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text, boolean keepAlive) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        boolean head = request.method().equals(HttpMethod.HEAD);
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(
                request.protocolVersion(), status, head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        return ctx.writeAndFlush(response);
    }

    /** Adds every {@code X-Echo-Response-Header: Name: value} verbatim; returns a problem message or null. */
    private static @Nullable String addRequestedHeaders(HttpRequest request, HttpResponse response) {
        for (String spec : request.headers().getAll(RESPONSE_HEADER)) {
            int colon = spec.indexOf(':');
            if (colon <= 0) {
                return RESPONSE_HEADER + " must look like 'Name: value', got '" + spec + "'";
            }
            try {
                response.headers()
                        .add(
                                spec.substring(0, colon).trim(),
                                spec.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                return RESPONSE_HEADER + " '" + spec + "' is not a valid header: " + e.getMessage();
            }
        }
        return null;
    }

    static String describe(
            ChannelHandlerContext ctx, HttpRequest request, long bodyLength, EchoIdentity identity, long connectionId) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().iteratorAsString().forEachRemaining(h -> headers.computeIfAbsent(
                        h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(h.getValue()));
        StringWriter out = new StringWriter(256 + 64 * headers.size());
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
            json.writeStringProperty("name", identity.name());
            json.writeStringProperty("namespace", identity.namespace());
            json.writeStringProperty("ingress", identity.ingress());
            json.writeStringProperty("service", identity.service());
            json.writeStringProperty("pod", identity.pod());
            json.writeStringProperty("method", request.method().name());
            json.writeStringProperty("uri", request.uri());
            json.writeStringProperty("protocol", request.protocolVersion().text());
            json.writeStringProperty("host", request.headers().get(HttpHeaderNames.HOST));
            json.writeObjectPropertyStart("headers");
            for (Map.Entry<String, List<String>> header : headers.entrySet()) {
                json.writeArrayPropertyStart(header.getKey());
                for (String value : header.getValue()) {
                    json.writeString(value);
                }
                json.writeEndArray();
            }
            json.writeEndObject();
            json.writeNumberProperty("bodyLength", bodyLength);
            json.writeNumberProperty("connection", connectionId);
            json.writeEndObject();
        }
        return out.toString();
    }

    private static ByteBuf padding() {
        ByteBuffer spaces = ByteBuffer.allocateDirect(PAD_SIZE);
        while (spaces.hasRemaining()) {
            spaces.put((byte) ' ');
        }
        spaces.flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(spaces).asReadOnly());
    }
}
