package dev.usher.proxy;

import dev.usher.routing.Mirror;
import dev.usher.routing.OriginTls;
import dev.usher.routing.Route;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedInput;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ingress-nginx's request mirroring ({@code mirror-target}; nginx's {@code mirror} with {@code proxy_pass} to the
 * target) for one request: a copy goes to the mirror on a connection of its own ({@link AuthCall}, the
 * {@code auth-url} subrequest's machinery: same event loop, asynchronous DNS, {@code Connection: close}, TLS without
 * verification as nginx's default), and its response is read to the head and dropped. Nothing of the mirror ever
 * reaches the client or holds its request back:
 *
 * <ul>
 * <li>the copy starts when the exchange starts its first attempt (after the body was buffered), and the exchange does
 *     not wait for it; unlike nginx, whose main request waits for its mirror subrequests, a slow mirror delays no
 *     client and no keep-alive connection;</li>
 * <li>each event loop has at most {@link ProxySettings#mirrorMaxInFlight()} copies in flight; a request past it is not
 *     mirrored (counted as {@code dropped}), so a dead or slow mirror holds a bounded number of connections and body
 *     copies;</li>
 * <li>a copy has the proxy's connect plus response timeouts (the ConfigMap-wide {@code proxy-connect-timeout} and
 *     {@code proxy-read-timeout} in ingress-nginx, whose per-Ingress values do not reach its internal mirror
 *     location) for everything, connect to response head; then it is closed and counted as {@code failed}.</li>
 * </ul>
 *
 * <p>What the mirror gets: the client's method; the target's path and query with its nginx variables expanded from the
 * client's request as it came (every unsafe byte percent-encoded); the head's fields as the origin gets them
 * (hop-by-hop fields out, Usher's {@code X-Forwarded-*}, {@code X-Real-IP} and the same {@code X-Request-ID}, so a
 * client cannot feed the mirror forwarding fields the origin would not believe); {@code Host} from {@code mirror-host}
 * or the target; the buffered body with its length ({@code mirror-request-body: on}), or none with
 * {@code Content-Length: 0}. Where the copy goes (scheme, host, port) is the translator's literal text: no request
 * value can choose it.
 */
final class RequestMirror {

    private static final Logger LOG = LoggerFactory.getLogger(RequestMirror.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    private final Mirror mirror;
    private final HttpMethod method;
    private final String target;
    private final String host;
    private @Nullable HttpHeaders fields;

    private RequestMirror(Mirror mirror, HttpMethod method, String target, String host) {
        this.mirror = mirror;
        this.method = method;
        this.target = target;
        this.host = host;
    }

    /**
     * The mirror copy of {@code request} on {@code route}, its target and {@code Host} expanded from the request as it
     * came (call it before the head is rewritten); {@code null} when the route has no mirror or mirroring is off.
     */
    static @Nullable RequestMirror of(
            Route route,
            HttpRequest request,
            Requests.Target target,
            ClientConnection conn,
            RequestRecord record,
            ProxySettings settings) {
        Mirror mirror = route.options().mirror();
        if (mirror == null || settings.mirrorMaxInFlight() == 0) {
            return null;
        }
        RequestVariables variables = RequestVariables.of(request, target, conn, route, record);
        String path = mirror.target().expand(variables);
        String host =
                mirror.hostHeader().constant() ? null : mirror.hostHeader().expand(variables);
        if (host == null || !UpstreamVhost.hostSyntax(host) || !RequestSyntax.hostValid(host)) {
            host = mirror.hostHeader().constant() ? mirror.hostHeader().literalText() : defaultHost(mirror);
        }
        return new RequestMirror(mirror, request.method(), path, host);
    }

    /** ingress-nginx's default {@code Host}: the target's host name, without its port. */
    private static String defaultHost(Mirror mirror) {
        return mirror.host().indexOf(':') >= 0 ? "[" + mirror.host() + "]" : mirror.host();
    }

    /** The fields of the head as the origin gets them (after {@link RequestHeads#prepare}); copied. */
    void fields(HttpHeaders forwarded) {
        HttpHeaders copy = forwarded.copy();
        HeaderRules.removeHopByHop(copy); // what prepare() kept for an upgrade: the mirror gets a plain request
        copy.remove(HttpHeaderNames.CONTENT_LENGTH)
                .remove(HttpHeaderNames.TRANSFER_ENCODING)
                .remove(HttpHeaderNames.EXPECT)
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        this.fields = copy;
    }

    /**
     * Sends the copy, with {@code body} when it is the request's whole buffered body and {@code mirror-request-body}
     * is on ({@code null}: a body-less or streamed request); returns at once.
     */
    void send(@Nullable BufferedBody body, ProxyContext context, EventLoop loop) {
        HttpHeaders head = fields;
        if (head == null) {
            throw new IllegalStateException("fields() comes first");
        }
        ProxyMetrics metrics = context.metrics();
        if (!target.startsWith("/")) { // the translator admits only targets whose expansion starts with /
            metrics.mirror(ProxyMetrics.MirrorResult.FAILED);
            return;
        }
        @Nullable SslContext tls;
        try {
            tls = mirror.tls() ? OriginTlsContexts.of(OriginTls.INSECURE) : null;
        } catch (RuntimeException e) { // the copy's failure, never the client's
            metrics.mirror(ProxyMetrics.MirrorResult.FAILED);
            logOnce("no TLS context for the mirror", e);
            return;
        }
        OriginPools pools = context.pools(loop);
        if (!pools.mirrorStarts()) {
            metrics.mirror(ProxyMetrics.MirrorResult.DROPPED);
            return;
        }
        BufferedBody.Shared shared = null;
        if (body != null && mirror.requestBody()) {
            try {
                shared = body.share();
            } catch (IOException e) {
                pools.mirrorEnded();
                metrics.mirror(ProxyMetrics.MirrorResult.FAILED);
                logOnce("a request body could not be read again for its mirror", e);
                return;
            }
        }
        head.set(HttpHeaderNames.CONTENT_LENGTH, shared == null ? 0 : shared.size());
        Copy copy = new Copy(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, target, head), shared);
        AuthCall.start(
                pools,
                loop,
                mirror.host(),
                mirror.port(),
                tls,
                copy,
                context.settings().connectTimeout().plus(context.settings().responseTimeout()),
                new AuthCall.Listener() {
                    @Override
                    public void answered(int status, HttpHeaders headers) {
                        ended(ProxyMetrics.MirrorResult.ANSWERED);
                    }

                    @Override
                    public void failed(String why) {
                        ended(ProxyMetrics.MirrorResult.FAILED);
                    }

                    private void ended(ProxyMetrics.MirrorResult result) {
                        copy.done();
                        pools.mirrorEnded();
                        metrics.mirror(result);
                    }
                });
    }

    private static void logOnce(String what, Exception e) {
        if (LOGGED.compareAndSet(false, true)) {
            LOG.warn("{}: {} (logged once)", what, e.toString());
        }
    }

    /** The copy on the wire: head, body (memory or file chunks), end. */
    private static final class Copy implements AuthCall.Outgoing {
        private final HttpRequest head;
        private final @Nullable Object content;
        private final @Nullable Runnable onDone;
        private boolean written;
        private boolean discarded;
        private boolean ended;

        Copy(HttpRequest head, BufferedBody.@Nullable Shared body) {
            this.head = head;
            this.content = body == null ? null : body.content();
            this.onDone = body == null ? null : body.done();
        }

        @Override
        public ChannelFuture writeTo(Channel channel) {
            written = true;
            channel.write(head);
            if (content != null) {
                channel.write(content); // a ByteBuf, or a ChunkedInput for the chunked writer
            }
            return channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        @Override
        public void discard() {
            if (!written && !discarded && content != null) {
                discarded = true;
                close(content);
            }
        }

        @Override
        public boolean chunked() {
            return content instanceof ChunkedInput;
        }

        /**
         * The call ended: the body's file may go (a descriptor still open until the channel or {@link #discard}
         * closes it reads on; the name is what goes).
         */
        void done() {
            if (!ended && onDone != null) {
                ended = true;
                onDone.run();
            }
        }

        private static void close(Object content) {
            if (content instanceof ByteBuf buf) {
                ReferenceCountUtil.release(buf);
            } else if (content instanceof ChunkedInput<?> input) {
                try {
                    input.close();
                } catch (Exception ignored) {
                    // a read-only descriptor; nothing to recover
                }
            }
        }
    }
}
