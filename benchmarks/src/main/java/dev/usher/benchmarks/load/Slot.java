package dev.usher.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.util.concurrent.TimeUnit;

/**
 * One of the client's connections, across reconnects: its event loop, its open-loop schedule and its position in the
 * request cycle. Confined to its event loop after {@link #connect()} (so no field needs to be volatile).
 */
final class Slot {

    private static final long RETRY_MILLIS = 50;

    private final LoadRun run;
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private long nextIntended;
    private long sequence;

    Slot(int id, LoadRun run, Bootstrap bootstrap, EventLoop loop, long firstSend) {
        this.run = run;
        this.bootstrap = bootstrap;
        this.loop = loop;
        this.nextIntended = firstSend;
        // Start each connection at a different request so every host and path is hit from the first second.
        this.sequence = id % run.requestCount();
    }

    LoadRun run() {
        return run;
    }

    /** Opens a connection on this slot's loop; a failure is counted and retried shortly. */
    void connect() {
        if (run.stopped()) {
            return;
        }
        ChannelFuture future = bootstrap
                .clone(loop)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder(), new LoadConnection(Slot.this));
                    }
                })
                .connect(run.settings().address());
        future.addListener(done -> {
            if (!done.isSuccess() && !run.stopped()) {
                run.counters().connect();
                loop.schedule(this::connect, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The index of the next request to send. */
    long nextRequest() {
        return sequence++;
    }

    /** Open-loop: the intended send time of the next request, advancing the schedule by one interval. */
    long takeIntended() {
        long intended = nextIntended;
        nextIntended += run.settings().intervalNanos();
        return intended;
    }
}
