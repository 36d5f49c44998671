package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.jspecify.annotations.Nullable;

/**
 * Raw body writes on their way to an HTTP/2 stream: a buffered request body is written as a {@link ByteBuf} or, when
 * spooled to disk, a {@link FileRegion} ({@link BufferedBody#writeTo}), which an HTTP/1.1 connection sends as they are.
 * A stream takes {@link HttpContent}: a buffer is wrapped, a file region becomes a {@link ChunkedInput} of 16 KiB
 * contents that the {@code ChunkedWriteHandler} in front pulls as the stream can take them (never the whole file in
 * memory).
 */
@ChannelHandler.Sharable
final class Http2BodyWrites extends ChannelOutboundHandlerAdapter {

    static final Http2BodyWrites INSTANCE = new Http2BodyWrites();
    private static final int CHUNK = 16 * 1024;

    private Http2BodyWrites() {}

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            ctx.write(new DefaultHttpContent(buf), promise);
        } else if (msg instanceof FileRegion region) {
            ctx.write(new RegionInput(region), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** A file region read in chunks through {@link FileRegion#transferTo}. */
    private static final class RegionInput implements ChunkedInput<HttpContent> {
        private final FileRegion region;
        private long transferred;

        RegionInput(FileRegion region) {
            this.region = region;
        }

        @Override
        public boolean isEndOfInput() {
            return transferred >= region.count();
        }

        @Override
        public void close() {
            region.release();
        }

        @Deprecated
        @Override
        public @Nullable HttpContent readChunk(ChannelHandlerContext ctx) throws IOException {
            return readChunk(ctx.alloc());
        }

        @Override
        public @Nullable HttpContent readChunk(ByteBufAllocator allocator) throws IOException {
            if (isEndOfInput()) {
                return null;
            }
            int size = (int) Math.min(CHUNK, region.count() - transferred);
            ByteBuf buf = allocator.buffer(size);
            boolean done = false;
            try {
                WritableByteChannel into = new WritableByteChannel() {
                    @Override
                    public int write(ByteBuffer src) {
                        int n = Math.min(src.remaining(), buf.writableBytes());
                        int limit = src.limit();
                        src.limit(src.position() + n);
                        buf.writeBytes(src);
                        src.limit(limit);
                        return n;
                    }

                    @Override
                    public boolean isOpen() {
                        return true;
                    }

                    @Override
                    public void close() {
                        // nothing to close
                    }
                };
                while (buf.isWritable() && !isEndOfInput()) {
                    long n = region.transferTo(into, transferred);
                    if (n <= 0) {
                        throw new IOException("spooled request body ended early");
                    }
                    transferred += n;
                }
                done = true;
                return new DefaultHttpContent(buf);
            } finally {
                if (!done) {
                    buf.release();
                }
            }
        }

        @Override
        public long length() {
            return region.count();
        }

        @Override
        public long progress() {
            return transferred;
        }
    }
}
