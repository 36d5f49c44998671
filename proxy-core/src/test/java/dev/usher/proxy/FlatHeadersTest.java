package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link FlatHeaders} against Netty's {@code DefaultHttpHeaders} with the same validators: the same random sequences of
 * additions, replacements, removals, lookups, iteration and copies give the same answers, the same fields in the same
 * order, and the same refusals (exception type and message) on both.
 *
 * <p>Two differences are left out of the comparison on purpose: a copy of Netty's headers stops validating values
 * (a copy of {@link FlatHeaders} keeps its validators), and Netty's {@code getTimeMillis} throws a checked
 * {@code ParseException} for a value that is no date where {@link FlatHeaders} answers {@code null}.
 */
final class FlatHeadersTest {

    private static final List<CharSequence> NAMES = List.of(
            "Host",
            "host",
            HttpHeaderNames.HOST,
            "HOST",
            "Content-Length",
            HttpHeaderNames.CONTENT_LENGTH,
            "content-length",
            "Connection",
            HttpHeaderNames.CONNECTION,
            "X-A",
            "x-a",
            "X-B", // the same length as X-A
            "Set-Cookie",
            AsciiString.of("set-cookie"),
            "Transfer-Encoding",
            "Trailer",
            "bad name",
            "a:b",
            "");

    @SuppressWarnings("JavaUtilDate") // a value type Netty's headers convert
    private static final List<Object> VALUES = List.of(
            "1",
            " 2 ",
            "42",
            "a, b",
            "A",
            "close",
            "keep-alive, Close",
            "Close",
            "",
            AsciiString.of("7"),
            "x\r\ny",
            "nul\0",
            "\tlead",
            70_000,
            new Date(1_700_000_000_000L));

    @Test
    void behavesAsNettysHeaders_onRandomSequences() {
        compare(KnownFieldNames.headers(), nettyHeaders());
    }

    @Test
    void trailersBehaveAsNettysTrailers_onRandomSequences() {
        compare(FlatHeaders.TRAILERS, DefaultHttpHeadersFactory.trailersFactory());
    }

    private static void compare(HttpHeadersFactory flat, HttpHeadersFactory netty) {
        for (int seed = 0; seed < 2_000; seed++) {
            List<String> expected = run(netty, seed);
            List<String> actual = run(flat, seed);
            for (int i = 0; i < expected.size(); i++) {
                // the first difference, with the step before it
                assertThat(actual.get(i))
                        .as("seed %d, after %s", seed, i == 0 ? "nothing" : expected.get(i - 1))
                        .isEqualTo(expected.get(i));
            }
        }
    }

    /** Netty's factory with the same name check as {@link KnownFieldNames#headers()}. */
    private static HttpHeadersFactory nettyHeaders() {
        DefaultHttpHeadersFactory netty = DefaultHttpHeadersFactory.headersFactory();
        DefaultHeaders.NameValidator<CharSequence> tokens = netty.getNameValidator();
        return netty.withNameValidator(name -> {
            if (!KnownFieldNames.isConstant(name)) {
                tokens.validateName(name);
            }
        });
    }

    /** One random sequence on headers from {@code factory}: every answer and the fields after every step. */
    private static List<String> run(HttpHeadersFactory factory, int seed) {
        Random random = new Random(seed);
        List<String> log = new ArrayList<>();
        HttpHeaders headers = factory.newHeaders();
        for (int step = 0; step < 40; step++) {
            CharSequence name = NAMES.get(random.nextInt(NAMES.size()));
            Object value = VALUES.get(random.nextInt(VALUES.size()));
            boolean ignoreCase = random.nextBoolean();
            int op = random.nextInt(23);
            HttpHeaders target = headers;
            log.add(op + " " + name + " " + value + " " + ignoreCase + ": "
                    + attempt(() -> switch (op) {
                        case 0, 1, 2, 3 -> target.add(name, value).size();
                        case 4, 5 -> target.set(name, value).size();
                        case 6 ->
                            target.add(name, List.of(value, VALUES.get(random.nextInt(VALUES.size()))))
                                    .size();
                        case 7 -> target.set(name, listWithNull(value)).size();
                        case 8 -> target.remove(name).size();
                        case 9 -> target.get(name);
                        case 10 -> target.getAll(name);
                        case 11 -> target.contains(name);
                        case 12 -> target.contains(name, value.toString(), ignoreCase);
                        case 13 -> target.containsValue(name, value.toString(), ignoreCase);
                        case 14 -> target.getInt(name) + " " + target.getShort(name);
                        case 15 ->
                            target.addInt(name, random.nextInt(100))
                                    .setShort(name, (short) 3)
                                    .size();
                        case 16 -> removeEvery(target, random.nextInt(3));
                        // as strings: Netty's set keeps an AsciiString and a String of the same spelling apart
                        case 17 ->
                            new LinkedHashSet<>(target.names()) + " " + target.entries() + " " + target.isEmpty();
                        case 18 -> values(target.valueStringIterator(name)) + " " + target.get(name, "default");
                        case 19 -> fields(target.copy()) + " " + fields(target);
                        case 20 ->
                            target.set(target.copy()).setAll(target.copy()).size();
                        case 21 -> {
                            // one pass on FlatHeaders, by name on Netty's: the same fields go
                            HeaderRules.removeNamesIf(target, n -> AsciiString.regionMatches(n, true, 0, "x-", 0, 2));
                            yield target.size();
                        }
                        default ->
                            random.nextInt(10) == 0
                                    ? target.clear().size()
                                    : target.add(target.copy()).size();
                    }));
            log.add(fields(headers));
        }
        return log;
    }

    /** What {@code action} answered, or the exception it threw. */
    private static String attempt(java.util.function.Supplier<Object> action) {
        try {
            return String.valueOf(action.get());
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + " " + e.getMessage() + " / " + e.getCause();
        }
    }

    private static List<Object> listWithNull(Object value) {
        List<Object> values = new ArrayList<>();
        values.add(value);
        values.add(null);
        values.add("after the null");
        return values;
    }

    /** Removes every {@code nth + 1}th field through the iterator (which both refuse). */
    private static int removeEvery(HttpHeaders headers, int nth) {
        int i = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            it.next();
            if (i++ % (nth + 1) == 0) {
                it.remove();
            }
        }
        return headers.size();
    }

    private static String values(Iterator<String> values) {
        List<String> all = new ArrayList<>();
        values.forEachRemaining(all::add);
        return all.toString();
    }

    private static String fields(HttpHeaders headers) {
        List<String> all = new ArrayList<>();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> field = it.next();
            all.add(field.getKey() + ": " + field.getValue());
        }
        return headers.size() + " " + all;
    }

    @Test
    void aCopy_keepsValidatingValues_andDatesReadAsNettyReadsThem() {
        HttpHeaders headers =
                KnownFieldNames.headers().newHeaders().add("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT");
        assertThat(headers.getTimeMillis("last-modified")).isEqualTo(1_700_000_000_000L);
        assertThat(headers.getTimeMillis("X-None", -1)).isEqualTo(-1);
        assertThat(headers.add("X-A", "not a date").getTimeMillis("x-a")).isNull();
        HttpHeaders copy = headers.copy();
        assertThatThrownBy(() -> copy.add("X-B", "a\r\nInjected: 1")).isInstanceOf(IllegalArgumentException.class);
        assertThat(copy.size()).isEqualTo(2);
    }

    @Test
    void aConnectionsFactory_startsEachSetWithTheRoomTheLargestBeforeItNeeded_upToALimit() {
        HttpHeadersFactory connection = KnownFieldNames.headers();
        FlatHeaders first = (FlatHeaders) connection.newHeaders();
        assertThat(first.capacity()).isZero(); // no array before the first field
        first.add("X-0", "v");
        assertThat(first.capacity()).isEqualTo(8);
        for (int i = 1; i < 20; i++) {
            first.add("X-" + i, "v");
        }
        FlatHeaders second = (FlatHeaders) connection.newHeaders().add("X-0", "v");
        assertThat(second.capacity()).isEqualTo(first.capacity()).isGreaterThanOrEqualTo(20);
        for (int i = 1; i < 100; i++) {
            second.add("X-" + i, "v");
        }
        assertThat(((FlatHeaders) connection.newHeaders().add("X-0", "v")).capacity())
                .isEqualTo(32);
        assertThat(((FlatHeaders) KnownFieldNames.headers().newHeaders().add("X-0", "v")).capacity())
                .as("another connection's")
                .isEqualTo(8);
        FlatHeaders trailers = (FlatHeaders) FlatHeaders.TRAILERS.newHeaders();
        for (int i = 0; i < 10; i++) {
            trailers.add("X-" + i, "v");
        }
        assertThat(((FlatHeaders) FlatHeaders.TRAILERS.newHeaders().add("X-0", "v")).capacity())
                .as("a shared factory never changes")
                .isEqualTo(2);
    }

    @Test
    void anEmptyTrailerSet_holdsNoArray_andGrowsWhenFieldsCome() {
        HttpHeaders trailers = FlatHeaders.TRAILERS.newHeaders();
        assertThat(trailers.isEmpty()).isTrue();
        for (int i = 0; i < 20; i++) {
            trailers.add("grpc-x" + i, "v" + i);
        }
        assertThat(trailers.size()).isEqualTo(20);
        assertThat(trailers.get("GRPC-X19")).isEqualTo("v19");
        assertThatThrownBy(() -> trailers.add(HttpHeaderNames.CONTENT_LENGTH, "1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRequestDecoder_readsItsFieldsIntoFlatHeaders_andRefusesTwoLengths() {
        Function<String, HttpRequest> decode = text -> {
            EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(ProxySettings.defaults()));
            ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
            HttpRequest request = ch.readInbound();
            Object rest;
            while ((rest = ch.readInbound()) != null) {
                ReferenceCountUtil.release(rest);
            }
            ch.finishAndReleaseAll();
            return request;
        };
        HttpRequest ok = decode.apply("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n");
        assertThat(ok.headers()).isInstanceOf(FlatHeaders.class);
        assertThat(ok.headers().getAll("X-A")).containsExactly("1", "2");
        assertThat(ok.decoderResult().isSuccess()).isTrue();

        HttpRequest twoLengths =
                decode.apply("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nab");
        assertThat(twoLengths.decoderResult().isFailure()).isTrue();
        assertThat(LastHttpContent.EMPTY_LAST_CONTENT.trailingHeaders().isEmpty())
                .isTrue();
    }
}
