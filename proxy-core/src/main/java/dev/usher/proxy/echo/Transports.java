package dev.usher.proxy.echo;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/** Picks epoll when the native transport loads, NIO otherwise, so the echo origin runs the same way as the proxy. */
final class Transports {

    private Transports() {}

    static boolean epoll() {
        return Epoll.isAvailable();
    }

    /** Epoll where it loads, unless {@code nio} asks for NIO (as where it does not load: tests). */
    static IoHandlerFactory ioHandlerFactory(boolean nio) {
        return epoll() && !nio ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    static Class<? extends ServerChannel> serverChannel(boolean nio) {
        return epoll() && !nio ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
