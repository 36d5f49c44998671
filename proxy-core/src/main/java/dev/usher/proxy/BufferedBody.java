package dev.usher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A request body read whole before an origin connection is opened, as nginx's {@code proxy_request_buffering} does:
 * in a heap buffer up to {@link ProxySettings#clientBodyBufferSize()}, beyond that in a temporary file under
 * {@link ProxySettings#clientBodyTempDir()} written by the {@link BodySpool}'s threads.
 *
 * <p>Threading: confined to the exchange's event loop, except the file work, which runs on the spool one task at a
 * time per body. While a write is pending the exchange does not read its client (backpressure towards the disk), and
 * the fields the spool sets ({@link #file}, {@link #channel}) are read on the loop only after the write's completion
 * was handed back through the loop's queue (a happens-before edge). {@link #release()} during a pending write leaves
 * the file's deletion to that write's completion, so the file is deleted in every ending.
 *
 * <p>Copying into a buffer of our own (instead of keeping the decoder's slices) frees each socket read buffer at once:
 * a slow client holding one body byte pins 1 byte of heap, not a read buffer of direct memory.
 */
final class BufferedBody {

    private final EventExecutor loop;
    private final BodySpool spool;
    private final ByteBufAllocator alloc;
    private final int memoryLimit;
    private @Nullable ByteBuf memory;
    private @Nullable Path file;
    private @Nullable FileChannel channel;
    private long size;
    private long reservedBytes;
    private boolean writing;
    private boolean released;
    private int shares; // copies handed out by share() and not given back: the file stays while there are any

    BufferedBody(EventExecutor loop, BodySpool spool, ByteBufAllocator alloc, int memoryLimit) {
        this.loop = loop;
        this.spool = spool;
        this.alloc = alloc;
        this.memoryLimit = memoryLimit;
    }

    long size() {
        return size;
    }

    /** Whether a spool write is under way (the client is not read meanwhile). */
    boolean writing() {
        return writing;
    }

    /**
     * Appends {@code data}, taking ownership of it. On the loop, {@code more} runs once the next chunk may be read
     * (at once when it went to memory), or {@code failed} if the file could not be written ({@link SpoolFull} when
     * the spool's budget is spent); neither runs once {@link #release()} was called.
     */
    void append(ByteBuf data, Runnable more, Consumer<IOException> failed) {
        int n = data.readableBytes();
        if (n == 0 || (file == null && (memory == null ? 0 : memory.readableBytes()) + n <= memoryLimit)) {
            if (n > 0) {
                if (memory == null) {
                    memory = alloc.heapBuffer(Math.min(memoryLimit, Math.max(n, 1024)), memoryLimit);
                }
                memory.writeBytes(data);
                size += n;
            }
            data.release();
            more.run();
            return;
        }
        long toFile = (long) n + (memory == null ? 0 : memory.readableBytes());
        if (!spool.reserve(toFile)) {
            data.release();
            failed.accept(new SpoolFull());
            return;
        }
        reservedBytes += toFile;
        size += n;
        ByteBuf spilled = memory; // the first spill writes what memory held, then the new chunk
        memory = null;
        writing = true;
        spool.execute(() -> {
            IOException error = null;
            try {
                if (channel == null) {
                    file = Files.createTempFile(spool.dir(), "usher-body-", ".tmp");
                    channel = FileChannel.open(file, StandardOpenOption.WRITE);
                }
                if (spilled != null) {
                    writeFully(spilled);
                }
                writeFully(data);
            } catch (IOException e) {
                error = e;
            }
            IOException outcome = error;
            try {
                loop.execute(() -> written(spilled, data, outcome, more, failed));
            } catch (RejectedExecutionException loopGone) { // the server closed meanwhile: clean up here
                released = true;
                written(spilled, data, outcome, more, failed);
            }
        });
    }

    private void written(
            @Nullable ByteBuf spilled,
            ByteBuf data,
            @Nullable IOException error,
            Runnable more,
            Consumer<IOException> failed) {
        if (spilled != null) {
            spilled.release();
        }
        data.release();
        writing = false;
        if (released) {
            if (shares == 0) {
                deleteFile();
            }
        } else if (error != null) {
            failed.accept(error);
        } else {
            more.run();
        }
    }

    private void writeFully(ByteBuf buf) throws IOException {
        FileChannel channel = Objects.requireNonNull(this.channel, "opened before the first write");
        for (ByteBuffer nio : buf.nioBuffers()) {
            while (nio.hasRemaining()) {
                channel.write(nio);
            }
        }
    }

    /**
     * Writes the whole body and the request's end to {@code origin}; a file goes as a {@code FileRegion} (sendfile
     * where the transport has it), read through its own descriptor, so the body can be written again for a retry.
     *
     * @return the future of the last write
     */
    ChannelFuture writeTo(Channel origin) {
        if (file != null) {
            try {
                origin.write(new DefaultFileRegion(FileChannel.open(file, StandardOpenOption.READ), 0, size));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (memory != null && memory.isReadable()) {
            origin.write(memory.retainedDuplicate());
        }
        return origin.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** The whole body for one more request, and what to run once that request is over. */
    record Shared(Object content, long size, Runnable done) {}

    /**
     * The whole body for another request written beside the exchange's (a mirror, {@link RequestMirror}): the memory
     * as a retained duplicate, or the file as a {@link ChunkedNioFile} read through a descriptor of its own. The file,
     * with its share of the spool's budget, is deleted only once {@link Shared#done} ran as well as {@link #release()},
     * on this loop. Call it only once the body is whole.
     *
     * @throws IOException when the file cannot be opened again
     */
    Shared share() throws IOException {
        if (file != null) {
            FileChannel read = FileChannel.open(file, StandardOpenOption.READ);
            ChunkedNioFile chunks;
            try {
                chunks = new ChunkedNioFile(read, 0, size, 8192);
            } catch (IOException | RuntimeException e) {
                read.close();
                throw e;
            }
            shares++;
            return new Shared(chunks, size, this::unshare);
        }
        ByteBuf copy = memory != null && memory.isReadable() ? memory.retainedDuplicate() : Unpooled.EMPTY_BUFFER;
        return new Shared(copy, copy.readableBytes(), () -> {});
    }

    private void unshare() {
        shares--;
        if (released && shares == 0 && !writing) {
            deleteFile();
        }
    }

    /**
     * Frees the memory and deletes the file (now, when a pending write completes, or when the last {@link #share()} is
     * done). Idempotent.
     */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (memory != null) {
            memory.release();
            memory = null;
        }
        if (!writing && shares == 0) {
            deleteFile();
        }
    }

    private void deleteFile() {
        FileChannel open = channel;
        Path path = file;
        long space = reservedBytes;
        channel = null;
        file = null;
        reservedBytes = 0;
        if (path == null && open == null) {
            spool.free(space);
            return;
        }
        spool.execute(() -> {
            try {
                if (open != null) {
                    open.close();
                }
            } catch (IOException ignored) {
                // closing a file we only wrote; the delete below is what matters
            }
            try {
                if (path != null) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException ignored) {
                // nothing else can be done; the directory is a temporary one
            }
            spool.free(space);
        });
    }

    /** The spool's budget for body files is spent ({@link ProxySettings#clientBodyTempMaxBytes()}). */
    static final class SpoolFull extends IOException {
        private static final long serialVersionUID = 1L;

        SpoolFull() {
            super("request body buffer space exhausted", null);
        }
    }
}
