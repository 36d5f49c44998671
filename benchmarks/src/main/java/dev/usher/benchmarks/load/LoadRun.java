package dev.usher.benchmarks.load;

import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Recorder;

/** State shared by every connection of one run: settings, encoded requests, the recorder and the counters. */
final class LoadRun {

    /** Longest latency recorded as itself; anything slower is clamped (an hour is beyond any request timeout). */
    static final long MAX_MICROS = 3_600_000_000L;

    private final LoadSettings settings;
    private final ByteBuf[] requests;
    private final Recorder recorder = new Recorder(3);
    private volatile Counters counters = new Counters();
    private volatile boolean stopped;

    LoadRun(LoadSettings settings, ByteBuf[] requests) {
        this.settings = settings;
        this.requests = requests;
    }

    LoadSettings settings() {
        return settings;
    }

    Recorder recorder() {
        return recorder;
    }

    /** The bytes of request {@code index} (modulo the count), as a duplicate the write will release. */
    ByteBuf request(long index) {
        return requests[(int) (index % requests.length)].retainedDuplicate();
    }

    int requestCount() {
        return requests.length;
    }

    /** Records one complete response. */
    void response(long latencyNanos, int status) {
        if (stopped) {
            return;
        }
        recorder.recordValue(Math.min(MAX_MICROS, Math.max(0, latencyNanos / 1000)));
        if (status < 200 || status > 299) {
            counters.status(status);
        }
    }

    Counters counters() {
        return counters;
    }

    Errors errors() {
        return counters.snapshot();
    }

    boolean stopped() {
        return stopped;
    }

    /** Drops what the warm-up counted: errors start from zero (the recorder's interval is taken by the caller). */
    void startCounting() {
        counters = new Counters();
    }

    void stop() {
        stopped = true;
    }

    /** Frees the encoded requests once no connection can write any more. */
    void release() {
        for (ByteBuf request : requests) {
            if (request.refCnt() > 0) {
                request.release();
            }
        }
    }
}
