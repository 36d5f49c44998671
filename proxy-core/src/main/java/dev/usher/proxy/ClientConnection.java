package dev.usher.proxy;

import dev.usher.routing.ClientCertificateAuth;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.time.Instant;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;

/**
 * The client side of one connection as its handler and exchanges use it: the context, the addresses, the response
 * encoder's HEAD switch and the read gate. Confined to the connection's event loop.
 *
 * <p>The peer is the TCP peer, or the source address of the PROXY protocol header when the listener takes one
 * ({@link ProxyProtocolHandler}). Whether the peer is a trusted proxy is decided once per connection; the client
 * address of each request is then {@link #clientAddress}.
 */
final class ClientConnection {

    /** A connection's client certificate as judged for one CA bundle. */
    private record VerifiedClient(ClientCertificateAuth auth, ClientCertificates.Result result) {}

    private static final AttributeKey<VerifiedClient> VERIFIED_CLIENT =
            AttributeKey.valueOf(ClientConnection.class, "verifiedClient");

    final ChannelHandlerContext ctx;
    /** The HTTP/1 response encoder, {@code null} on an HTTP/2 stream (whose codec knows HEAD from the frames). */
    final @Nullable ResponseEncoder encoder;
    /** The peer's address, canonical ({@code 10.0.0.7}, RFC 5952 for IPv6). */
    final String peerIp;
    /** Whether the peer is inside {@code trustedProxies}: its forwarding headers are believed. */
    final boolean peerTrusted;

    final int listenerPort;
    /** {@link #listenerPort} as text, for X-Forwarded-Port. */
    final String listenerPortText;

    final boolean tls;
    private final TrustedProxies trusted;
    private boolean readPending;

    /**
     * What a connection's requests know of its socket: the peer (canonical text, and whether it is a trusted proxy)
     * and the listener port. Worked out once per connection; every stream of an HTTP/2 connection shares it.
     */
    record Peer(String ip, boolean trusted, int listenerPort, String listenerPortText) {

        /** The peer of {@code socket}, the connection (never a stream) channel. */
        static Peer of(Channel socket, TrustedProxies trustedProxies) {
            InetAddress peer = ProxyProtocolHandler.peer(socket);
            int port = ((InetSocketAddress) socket.localAddress()).getPort();
            return new Peer(NetUtil.toAddressString(peer), trustedProxies.contains(peer), port, Integer.toString(port));
        }
    }

    ClientConnection(
            ChannelHandlerContext ctx,
            @Nullable ResponseEncoder encoder,
            boolean tls,
            TrustedProxies trusted,
            Peer peer) {
        this.ctx = ctx;
        this.encoder = encoder;
        this.tls = tls;
        this.trusted = trusted;
        this.peerIp = peer.ip();
        this.peerTrusted = peer.trusted();
        this.listenerPort = peer.listenerPort();
        this.listenerPortText = peer.listenerPortText();
    }

    /** The TLS server name (SNI) the client's handshake asked for, normalised; {@code null} without TLS or SNI. */
    @Nullable
    String serverName() {
        return socket().attr(ServerNames.SERVER_NAME).get();
    }

    /**
     * The connection's client certificate judged against {@code auth}: verified once per connection and CA bundle
     * (every stream of an HTTP/2 connection shares it), from the TLS session, never from anything the client says.
     */
    ClientCertificates.Result clientCertificate(ClientCertificateAuth auth) {
        Channel socket = socket();
        Attribute<VerifiedClient> cached = socket.attr(VERIFIED_CLIENT);
        VerifiedClient verified = cached.get();
        if (verified != null && verified.auth().equals(auth)) {
            return verified.result();
        }
        SslHandler ssl = socket.pipeline().get(SslHandler.class);
        Certificate[] peer = null;
        if (ssl != null) {
            try {
                peer = ssl.engine().getSession().getPeerCertificates();
            } catch (SSLPeerUnverifiedException e) {
                peer = null; // the client sent none
            }
        }
        ClientCertificates.Result result = ClientCertificates.verify(auth, peer, Instant.now());
        cached.set(new VerifiedClient(auth, result));
        return result;
    }

    private Channel socket() {
        Channel channel = ctx.channel();
        return channel instanceof Http2StreamChannel stream ? stream.parent() : channel;
    }

    /** Tells the HTTP/1 encoder whether the response about to be written answers a HEAD request. */
    void headRequest(boolean head) {
        if (encoder != null) {
            encoder.headRequest(head);
        }
    }

    /**
     * The client address of a request with these headers: the peer itself, or behind a trusted peer the right-most
     * untrusted address of its {@code X-Forwarded-For} chain ({@link ForwardedFor}). Headers, access log and metrics
     * of the request use this one value.
     */
    String clientAddress(HttpHeaders headers) {
        return peerTrusted ? ForwardedFor.clientAddress(headers, peerIp, trusted) : peerIp;
    }

    /**
     * Asks for the next decoded message. The flow-control handler counts a read as satisfied by a read-complete event
     * too (a socket read may decode to nothing), so a read still unanswered at read-complete is renewed.
     */
    void read() {
        readPending = true;
        ctx.read();
    }

    /** A message arrived: the pending read is answered. */
    void answered() {
        readPending = false;
    }

    /** At read-complete: renews a read that got no message. */
    void renewRead() {
        if (readPending) {
            ctx.read();
        }
    }
}
