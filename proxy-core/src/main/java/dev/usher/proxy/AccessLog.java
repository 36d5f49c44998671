package dev.usher.proxy;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.CharacterEscapes;
import tools.jackson.core.json.JsonFactory;

/**
 * One line per request on the slf4j logger {@code dev.usher.access}, text or JSON.
 *
 * <p>Event loops only {@code offer} a small record to a bounded queue; one daemon thread formats and logs, so a slow
 * log appender can never block a loop. When the queue is full the entry is dropped and counted rather than waited for.
 */
final class AccessLog implements AutoCloseable {

    static final Logger LOG = LoggerFactory.getLogger("dev.usher.access");
    private static final Logger SELF = LoggerFactory.getLogger(AccessLog.class);
    /** Used by the writer thread only (and tests): an event loop never formats JSON. */
    private static final JsonFactory JSON = asciiJson();

    /** What is logged about one request. */
    record Entry(
            long epochMillis,
            String clientIp,
            String method,
            String uri,
            String protocol,
            @Nullable String host,
            int status,
            long bytesIn,
            long bytesOut,
            long durationNanos,
            @Nullable String namespace,
            @Nullable String ingress,
            @Nullable String service,
            @Nullable String endpoint,
            @Nullable String requestId) {}

    private final ProxySettings.AccessLogFormat format;
    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(16 * 1024);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;

    AccessLog(ProxySettings.AccessLogFormat format) {
        this.format = format;
        this.writer = new Thread(this::run, "usher-access-log");
        this.writer.setDaemon(true);
        if (enabled()) {
            writer.start();
        }
    }

    boolean enabled() {
        return format != ProxySettings.AccessLogFormat.OFF && LOG.isInfoEnabled();
    }

    /** Hands the entry to the writer thread; never blocks. */
    void log(Entry entry) {
        if (!closed && enabled() && !queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    private void run() {
        try {
            while (!closed || !queue.isEmpty()) {
                Entry entry = queue.poll(200, TimeUnit.MILLISECONDS);
                if (entry != null) {
                    LOG.info(format == ProxySettings.AccessLogFormat.JSON ? json(entry) : text(entry));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long lost = dropped.get();
        if (lost > 0) {
            SELF.warn("access log dropped {} entries because its queue was full", lost);
        }
    }

    /**
     * The text line. Fields a client controls (method, target, protocol, host, request ID) are escaped as nginx's
     * {@code escape=default} does: {@code "}, {@code \\}, control characters and non-ASCII bytes become {@code \xHH},
     * so a request can neither forge a line nor a field, nor send terminal escapes to whoever reads the log.
     */
    static String text(Entry e) {
        StringBuilder sb = new StringBuilder(200).append(e.clientIp).append(" \"");
        escape(sb, e.method).append(' ');
        escape(sb, e.uri).append(' ');
        escape(sb, e.protocol)
                .append("\" ")
                .append(e.status)
                .append(' ')
                .append(e.bytesOut)
                .append(' ')
                .append(e.durationNanos / 1_000_000)
                .append("ms host=");
        escape(sb, dash(e.host))
                .append(" route=")
                .append(dash(e.namespace))
                .append('/')
                .append(dash(e.ingress))
                .append(" service=")
                .append(dash(e.service))
                .append(" upstream=")
                .append(dash(e.endpoint))
                .append(" in=")
                .append(e.bytesIn)
                .append(" id=");
        return escape(sb, dash(e.requestId)).toString();
    }

    private static StringBuilder escape(StringBuilder sb, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
                if (c > 0xff) { // not from the wire (each byte decodes to one char <= 0xFF): log its UTF-8 bytes
                    for (byte b : String.valueOf(c).getBytes(StandardCharsets.UTF_8)) {
                        hexByte(sb, b & 0xff);
                    }
                } else {
                    hexByte(sb, c);
                }
            } else {
                sb.append(c);
            }
        }
        return sb;
    }

    private static void hexByte(StringBuilder sb, int b) {
        sb.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
    }

    /**
     * The JSON line. Control characters, DEL and every non-ASCII character are written as {@code \\uXXXX}: each is
     * one byte the client sent (ISO-8859-1 decoding), so the line stays one line of ASCII whatever a client sends.
     */
    static String json(Entry e) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            json.writeStartObject();
            json.writeStringProperty("time", Instant.ofEpochMilli(e.epochMillis).toString());
            json.writeStringProperty("client", e.clientIp);
            json.writeStringProperty("method", e.method);
            json.writeStringProperty("uri", e.uri);
            json.writeStringProperty("protocol", e.protocol);
            json.writeStringProperty("host", e.host);
            json.writeNumberProperty("status", e.status);
            json.writeNumberProperty("bytes_in", e.bytesIn);
            json.writeNumberProperty("bytes_out", e.bytesOut);
            json.writeNumberProperty("duration_ms", e.durationNanos / 1_000_000);
            json.writeStringProperty("namespace", e.namespace);
            json.writeStringProperty("ingress", e.ingress);
            json.writeStringProperty("service", e.service);
            json.writeStringProperty("upstream", e.endpoint);
            json.writeStringProperty("request_id", e.requestId);
            json.writeEndObject();
        }
        return out.toString();
    }

    /** Jackson's standard escapes, plus DEL (0x7F, a terminal control) and everything above ASCII. */
    private static JsonFactory asciiJson() {
        int[] ascii = CharacterEscapes.standardAsciiEscapesForJSON();
        ascii[0x7f] = CharacterEscapes.ESCAPE_STANDARD;
        return JsonFactory.builder()
                .highestNonEscapedChar(0x7e)
                .characterEscapes(new CharacterEscapes() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    public int[] getEscapeCodesForAscii() {
                        return ascii;
                    }

                    @Override
                    public @Nullable SerializableString getEscapeSequence(int ch) {
                        return null; // never asked: every character above 0x7E is escaped the standard way
                    }
                })
                .build();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static String dash(@Nullable String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }

    @Override
    public void close() {
        closed = true;
        if (writer.isAlive()) {
            try {
                writer.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
