package dev.usher.proxy;

import io.netty.channel.ChannelHandlerContext;
import java.net.InetSocketAddress;

/**
 * The client side of one connection as its handler and exchanges use it: the context, the addresses, the response
 * encoder's HEAD switch and the read gate. Confined to the connection's event loop.
 */
final class ClientConnection {

    final ChannelHandlerContext ctx;
    final ResponseEncoder encoder;
    final String clientIp;
    final int listenerPort;
    final boolean tls;
    private boolean readPending;

    ClientConnection(ChannelHandlerContext ctx, ResponseEncoder encoder, boolean tls) {
        this.ctx = ctx;
        this.encoder = encoder;
        this.tls = tls;
        this.clientIp = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        this.listenerPort = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
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
