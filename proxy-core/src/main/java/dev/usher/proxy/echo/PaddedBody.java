package dev.usher.proxy.echo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import org.jspecify.annotations.Nullable;

/** A reply body of the JSON followed by {@code padding} bytes taken as slices of a shared buffer, chunk by chunk. */
final class PaddedBody implements ChunkedInput<ByteBuf> {

    private final long length;
    private final ByteBuf pad;
    private @Nullable ByteBuf json;
    private long remainingPadding;

    PaddedBody(ByteBuf json, long padding, ByteBuf pad) {
        this.json = json;
        this.length = json.readableBytes() + padding;
        this.remainingPadding = padding;
        this.pad = pad;
    }

    @Override
    public boolean isEndOfInput() {
        return json == null && remainingPadding == 0;
    }

    @Override
    public void close() {
        if (json != null) {
            json.release();
            json = null;
        }
        remainingPadding = 0;
    }

    @Deprecated
    @Override
    public @Nullable ByteBuf readChunk(ChannelHandlerContext ctx) {
        return readChunk(ctx.alloc());
    }

    @Override
    public @Nullable ByteBuf readChunk(ByteBufAllocator allocator) {
        if (json != null) {
            ByteBuf first = json;
            json = null;
            return first;
        }
        if (remainingPadding == 0) {
            return null;
        }
        int chunk = (int) Math.min(remainingPadding, pad.readableBytes());
        remainingPadding -= chunk;
        return pad.retainedSlice(pad.readerIndex(), chunk);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long progress() {
        return length - remainingPadding - (json == null ? 0 : json.readableBytes());
    }
}
