package dev.usher.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;

/**
 * In an HTTP/2 client connection's pipeline, in front of the frame codec: knows when a read batch (every frame the
 * socket delivered at once) is over. A stream's head waits for that moment ({@link H2StreamCodec}, the rapid-reset
 * rule): a stream reset in the same batch is closed by then. One list per connection instead of one event-loop task
 * per stream; a head that arrives outside a batch (a stream that started reading late) still gets a task.
 */
final class H2ReadBatch extends ChannelInboundHandlerAdapter {

    private boolean reading;
    private List<Runnable> waiting = new ArrayList<>();
    private List<Runnable> spare = new ArrayList<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        batchOver();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ctx.fireChannelInactive();
        batchOver();
    }

    /** Runs {@code task} once the current read batch is over, or in an event-loop task when none is under way. */
    void afterBatch(ChannelHandlerContext stream, Runnable task) {
        if (reading) {
            waiting.add(task);
        } else {
            stream.executor().execute(task);
        }
    }

    private void batchOver() {
        reading = false;
        if (waiting.isEmpty()) {
            return;
        }
        List<Runnable> due = waiting;
        waiting = spare; // a task that somehow adds one lands in the next batch
        for (int i = 0; i < due.size(); i++) {
            due.get(i).run();
        }
        due.clear();
        spare = due;
    }
}
