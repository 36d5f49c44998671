package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpRequestEncoder;

/** Wires an origin connection: response decoder, request encoder, {@link AllocationGuard}, {@link OriginHandler}. */
final class OriginInitializer extends ChannelInitializer<Channel> {

    private final AllocationGuard guard;

    OriginInitializer(AllocationGuard guard) {
        this.guard = guard;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new OriginResponseDecoder(), new HttpRequestEncoder(), guard, new OriginHandler());
    }
}
