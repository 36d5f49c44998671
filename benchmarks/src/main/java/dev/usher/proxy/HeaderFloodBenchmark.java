package dev.usher.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A hostile head: {@code fields} distinct forwarding-like names, as many underscored twins and as many names listed in
 * {@code Connection}, all of which the proxy removes ({@link HeaderRules#removeHopByHop},
 * {@link HeaderRules#removeUnderscored}). Removing them one name at a time is a scan each, so the cost grows with
 * the square of the head; {@code flat} is the decoders' {@link FlatHeaders} (one pass), {@code netty} Netty's
 * {@code DefaultHttpHeaders} (still used for HTTP/2's converted heads). About 300 is what a 16 KiB head holds.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderFloodBenchmark {

    @Param({"300", "1000"})
    public int fields;

    @Param({"flat", "netty"})
    public String headers;

    @Benchmark
    public int removeFlood() {
        HttpHeaders h = "flat".equals(headers) ? KnownFieldNames.headers().newHeaders() : new DefaultHttpHeaders();
        StringBuilder tokens = new StringBuilder("keep-alive");
        for (int i = 0; i < fields; i++) {
            h.add("x-forwarded-" + i, "1");
            h.add("x_forwarded_" + i, "1");
            h.add("t" + i, "1");
            tokens.append(",t").append(i);
        }
        h.add("Connection", tokens.toString());
        HeaderRules.removeHopByHop(h);
        HeaderRules.removeUnderscored(h);
        return h.size();
    }
}
