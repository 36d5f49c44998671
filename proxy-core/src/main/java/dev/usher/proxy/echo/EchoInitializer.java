package dev.usher.proxy.echo;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.util.concurrent.atomic.AtomicLong;

/** Wires an accepted connection: HTTP codec, 100-continue, chunked writes for padded replies, then the echo. */
final class EchoInitializer extends ChannelInitializer<SocketChannel> {

    private final EchoIdentity identity;
    private final long responseSize;
    private final AtomicLong connections;
    private final ChannelGroup open;

    EchoInitializer(EchoIdentity identity, long responseSize, AtomicLong connections, ChannelGroup open) {
        this.identity = identity;
        this.responseSize = responseSize;
        this.connections = connections;
        this.open = open;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        open.add(channel);
        channel.pipeline()
                .addLast("http", new HttpServerCodec())
                .addLast("continue", new HttpServerExpectContinueHandler())
                .addLast("chunked", new ChunkedWriteHandler())
                .addLast("echo", new EchoHandler(identity, responseSize, connections.incrementAndGet()));
    }
}
