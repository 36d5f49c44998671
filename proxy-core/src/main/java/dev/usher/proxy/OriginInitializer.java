package dev.usher.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Wires an origin connection: {@link OriginResponseDecoder}, {@link OriginRequestEncoder}, {@link AllocationGuard},
 * {@link OriginHandler}.
 */
final class OriginInitializer extends ChannelInitializer<Channel> {

    private final AllocationGuard guard;

    OriginInitializer(AllocationGuard guard) {
        this.guard = guard;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new OriginResponseDecoder(), new OriginRequestEncoder(), guard, new OriginHandler());
    }
}
