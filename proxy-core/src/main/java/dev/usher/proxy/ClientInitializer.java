package dev.usher.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import org.jspecify.annotations.Nullable;

/**
 * Wires a client connection: [PROXY protocol] → [SNI/TLS → {@link H2AlpnSwitch}, or {@link H2PrefaceSniffer}] →
 * {@link HeadTimer} → {@link RequestDecoder} (and its {@code read()} side) → {@link ResponseEncoder} →
 * {@link AllocationGuard.ReadGuard} →
 * {@link ReadGate} (one message per read) → {@link ClientHandler}.
 *
 * <p>Every connection starts with the HTTP/1 handlers; ALPN {@code h2} on the HTTPS listener, or the HTTP/2
 * connection preface on the plaintext one, swaps them for the HTTP/2 ones ({@link #toHttp2}, {@link H2Pipeline}).
 */
final class ClientInitializer extends ChannelInitializer<SocketChannel> {

    private final ProxyContext context;
    private final @Nullable AsyncMapping<String, SslContext> sni;
    private final int httpsPort;

    /**
     * @param sni certificate lookup by server name for the HTTPS listener, {@code null} for plain HTTP
     * @param httpsPort the bound HTTPS port, named by redirects to HTTPS; -1 when there is no HTTPS listener
     */
    ClientInitializer(ProxyContext context, @Nullable AsyncMapping<String, SslContext> sni, int httpsPort) {
        this.context = context;
        this.sni = sni;
        this.httpsPort = httpsPort;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        context.connections().add(ch);
        ChannelPipeline p = ch.pipeline();
        if (context.settings().proxyProtocol()) {
            // The PROXY header precedes everything, the TLS ClientHello included; both handlers leave once it is read.
            p.addLast(new HAProxyMessageDecoder(), new ProxyProtocolHandler(context.settings()));
        }
        if (sni != null) {
            // A TLS handshake gets as long as a request head.
            p.addLast(
                    context.settings().enableSslPassthrough()
                            ? new PassthroughSniHandler(sni, context) // ssl-passthrough hosts leave TLS unopened
                            : new ServerNames(
                                    sni,
                                    context.settings().requestHeaderTimeout().toMillis()),
                    new H2AlpnSwitch(this));
        } else {
            p.addLast(new H2PrefaceSniffer(this));
        }
        HeadTimer headTimer = new HeadTimer(context.settings());
        ResponseEncoder encoder = new ResponseEncoder(context.allocationGuard());
        RequestDecoder decoder = new RequestDecoder(context.settings());
        p.addLast(
                headTimer,
                decoder,
                decoder.nextRequest(),
                encoder,
                context.allocationGuard().encoderChecked(),
                new ReadGate(),
                new ClientHandler(context, headTimer, encoder, sni != null, httpsPort));
    }

    /** The connection speaks HTTP/2: the HTTP/1 handlers leave (nothing was decoded by them yet) for the HTTP/2 ones. */
    void toHttp2(ChannelPipeline p, boolean tls) {
        removeHttp1(p);
        p.remove(AllocationGuard.ReadGuard.class); // HTTP/2 frames need the guard that watches every write
        H2Pipeline.install(p, context, tls, httpsPort);
    }

    /** Removes the HTTP/1 handlers before any of them decoded anything (HTTP/2, or a TLS passthrough splice). */
    static void removeHttp1(ChannelPipeline p) {
        p.remove(ClientHandler.class);
        p.remove(ReadGate.class);
        p.remove(ResponseEncoder.class);
        p.remove(RequestDecoder.NextRequest.class);
        p.remove(RequestDecoder.class);
        p.remove(HeadTimer.class);
    }
}
