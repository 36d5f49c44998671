package dev.usher.proxy;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The header fields of one HTTP/1 message as one array of names and values in arrival order, for the decoders: what
 * {@link io.netty.handler.codec.http.DefaultHttpHeaders} keeps as a hash table with a linked entry per field.
 *
 * <p>A message carries a dozen fields or so, and each is looked up by a scan of their names' hashes; the table
 * costs a head entry, a bucket array and a 40-byte entry per field, which made headers the largest share of what a
 * proxied request allocated. Every operation keeps {@code DefaultHttpHeaders}' meaning, which {@code FlatHeadersTest}
 * checks against it on random operation sequences: names compare case-insensitively, {@code get} gives the first
 * value, {@code set} removes every field of that name and appends one at the end, and every added name and value
 * passes the validators the factory was given (Netty's own), so nothing unchecked reaches an encoder.
 */
final class FlatHeaders extends HttpHeaders {

    /**
     * The decoders' trailer fields, with Netty's trailer validators (which also refuse the framing fields). A decoder
     * makes a trailer set for every message with a body and nearly all stay empty: one small object until a field
     * comes (gRPC's {@code grpc-status} and {@code grpc-message}).
     */
    static final HttpHeadersFactory TRAILERS;

    static {
        DefaultHttpHeadersFactory netty = DefaultHttpHeadersFactory.trailersFactory();
        TRAILERS = factory(netty.getNameValidator(), netty.getValueValidator(), 2);
    }

    private static final CharSequence[] NONE = new CharSequence[0];
    private static final int[] NO_HASHES = new int[0];

    private final Sizing sizing;

    /** Name at {@code 2i}, value at {@code 2i + 1}, for {@code i < size}; allocated at the first field. */
    private CharSequence[] fields = NONE;

    /** The case-insensitive hash of name {@code i} ({@link AsciiString#hashCode(CharSequence)}), compared first. */
    private int[] hashes = NO_HASHES;

    /**
     * One bit per hash of the names present ({@link #bit}), so a lookup of a name the message lacks (most of the
     * hop-by-hop and forwarding fields a proxy removes) usually ends without a scan.
     */
    private long present;

    private int size;

    private FlatHeaders(Sizing sizing) {
        this.sizing = sizing;
    }

    /**
     * A factory shared by any number of decoders on any thread: every set starts with room for {@code fields} and
     * grows from there.
     */
    static HttpHeadersFactory factory(
            DefaultHeaders.NameValidator<CharSequence> names,
            DefaultHeaders.ValueValidator<CharSequence> values,
            int fields) {
        return new Sizing(names, values, fields, fields);
    }

    /**
     * A factory for one decoder (one connection, so one thread): each set starts with room for as many fields as the
     * largest set before it grew to, from {@code first} up to {@code most}. A browser's requests on one connection
     * carry about the same fields (two dozen with Usher's), a load generator's a handful, and an origin's responses
     * their own number: each connection allocates about what its messages need, and grows an array once.
     */
    static HttpHeadersFactory perConnection(
            DefaultHeaders.NameValidator<CharSequence> names,
            DefaultHeaders.ValueValidator<CharSequence> values,
            int first,
            int most) {
        return new Sizing(names, values, first, most);
    }

    /** The validators, and how many fields a new set has room for. */
    private static final class Sizing implements HttpHeadersFactory {
        final DefaultHeaders.NameValidator<CharSequence> names;
        final DefaultHeaders.ValueValidator<CharSequence> values;
        final int most;
        int room; // never written when room == most, so a shared factory is never written

        Sizing(
                DefaultHeaders.NameValidator<CharSequence> names,
                DefaultHeaders.ValueValidator<CharSequence> values,
                int first,
                int most) {
            this.names = Objects.requireNonNull(names, "names");
            this.values = Objects.requireNonNull(values, "values");
            this.room = first;
            this.most = most;
        }

        void grew(int capacity) {
            if (capacity > room && room < most) {
                room = Math.min(capacity, most);
            }
        }

        @Override
        public HttpHeaders newHeaders() {
            return new FlatHeaders(this);
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new FlatHeaders(this);
        }
    }

    /** How many fields the arrays have room for (tests). */
    int capacity() {
        return hashes.length;
    }

    // ---- lookups

    private static boolean sameName(CharSequence a, CharSequence b) {
        return a == b || (a.length() == b.length() && AsciiString.contentEqualsIgnoreCase(a, b));
    }

    private static int hash(CharSequence name) {
        return AsciiString.hashCode(Objects.requireNonNull(name, "name"));
    }

    private static long bit(int h) {
        return 1L << (h ^ (h >>> 16)); // a shift of a long takes the low six bits
    }

    /** The index of the first field named {@code name} (whose hash is {@code h}) at or after {@code from}, or -1. */
    private int indexOf(CharSequence name, int h, int from) {
        if ((present & bit(h)) == 0) {
            return -1;
        }
        int[] hs = hashes;
        for (int i = from; i < size; i++) {
            if (hs[i] == h && sameName(fields[i << 1], name)) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the last field named {@code name} (hash {@code h}) before {@code before}, or -1. */
    private int lastIndexOf(CharSequence name, int h, int before) {
        if ((present & bit(h)) == 0) {
            return -1;
        }
        int[] hs = hashes;
        for (int i = before - 1; i >= 0; i--) {
            if (hs[i] == h && sameName(fields[i << 1], name)) {
                return i;
            }
        }
        return -1;
    }

    private @Nullable CharSequence first(CharSequence name) {
        int i = indexOf(name, hash(name), 0);
        return i < 0 ? null : fields[(i << 1) + 1];
    }

    @Override
    public @Nullable String get(String name) {
        return get((CharSequence) name);
    }

    @Override
    public @Nullable String get(CharSequence name) {
        CharSequence value = first(name);
        return value == null ? null : value.toString();
    }

    @Override
    public String get(CharSequence name, String defaultValue) {
        String value = get(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public @Nullable Integer getInt(CharSequence name) {
        CharSequence value = first(name);
        if (value == null) {
            return null;
        }
        try {
            return value instanceof AsciiString ascii ? ascii.parseInt() : Integer.parseInt(value.toString());
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public int getInt(CharSequence name, int defaultValue) {
        Integer value = getInt(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public @Nullable Short getShort(CharSequence name) {
        Integer value = getInt(name); // a short is an int in a short's range, as Short.parseShort reads it
        return value == null || value != value.shortValue() ? null : value.shortValue();
    }

    @Override
    public short getShort(CharSequence name, short defaultValue) {
        Short value = getShort(name);
        return value == null ? defaultValue : value;
    }

    @SuppressWarnings("JavaUtilDate") // Netty's date parser
    @Override
    public @Nullable Long getTimeMillis(CharSequence name) {
        CharSequence value = first(name);
        Date date = value == null ? null : DateFormatter.parseHttpDate(value);
        return date == null ? null : date.getTime();
    }

    @Override
    public long getTimeMillis(CharSequence name, long defaultValue) {
        Long value = getTimeMillis(name);
        return value == null ? defaultValue : value;
    }

    @Override
    public List<String> getAll(String name) {
        return getAll((CharSequence) name);
    }

    @Override
    public List<String> getAll(CharSequence name) {
        int h = hash(name);
        int i = indexOf(name, h, 0);
        if (i < 0) {
            return List.of();
        }
        int next = indexOf(name, h, i + 1);
        if (next < 0) {
            return List.of(fields[(i << 1) + 1].toString());
        }
        List<String> all = new ArrayList<>(4);
        for (; i >= 0; i = indexOf(name, h, i + 1)) {
            all.add(fields[(i << 1) + 1].toString());
        }
        return Collections.unmodifiableList(all);
    }

    @Override
    public Iterator<String> valueStringIterator(CharSequence name) {
        Iterator<? extends CharSequence> values = valueCharSequenceIterator(name);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return values.hasNext();
            }

            @Override
            public String next() {
                return values.next().toString();
            }
        };
    }

    @Override
    public Iterator<? extends CharSequence> valueCharSequenceIterator(CharSequence name) {
        int h = hash(name);
        // newest first, as Netty's value iterators walk their bucket chains (get and getAll go oldest first)
        return new Iterator<CharSequence>() {
            private int next = lastIndexOf(name, h, size);

            @Override
            public boolean hasNext() {
                return next >= 0;
            }

            @Override
            public CharSequence next() {
                if (next < 0) {
                    throw new NoSuchElementException();
                }
                CharSequence value = fields[(next << 1) + 1];
                next = lastIndexOf(name, h, next);
                return value;
            }
        };
    }

    @Override
    public boolean contains(String name) {
        return contains((CharSequence) name);
    }

    @Override
    public boolean contains(CharSequence name) {
        return indexOf(name, hash(name), 0) >= 0;
    }

    @Override
    public boolean contains(String name, String value, boolean ignoreCase) {
        return contains((CharSequence) name, value, ignoreCase);
    }

    /** A field with exactly this value (not a comma-separated member of one: that is {@link #containsValue}). */
    @Override
    public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
        Objects.requireNonNull(value, "value");
        int h = hash(name);
        for (int i = indexOf(name, h, 0); i >= 0; i = indexOf(name, h, i + 1)) {
            CharSequence v = fields[(i << 1) + 1];
            if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(v, value) : AsciiString.contentEquals(v, value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<String> names() {
        Set<String> all = new LinkedHashSet<>(size * 2);
        for (int i = 0; i < size; i++) {
            all.add(fields[i << 1].toString());
        }
        return all;
    }

    @Override
    public List<Map.Entry<String, String>> entries() {
        List<Map.Entry<String, String>> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(new AbstractMap.SimpleImmutableEntry<>(fields[i << 1].toString(), fields[(i << 1) + 1].toString()));
        }
        return all;
    }

    /** Netty deprecates it in favour of {@link #iteratorCharSequence}, but its own {@code add(HttpHeaders)} uses it. */
    @Deprecated
    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Fields<>() {
            @Override
            Map.Entry<String, String> entry(CharSequence name, CharSequence value) {
                return new AbstractMap.SimpleImmutableEntry<>(name.toString(), value.toString());
            }
        };
    }

    @Override
    public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
        return new Fields<>() {
            @Override
            Map.Entry<CharSequence, CharSequence> entry(CharSequence name, CharSequence value) {
                return new AbstractMap.SimpleImmutableEntry<>(name, value);
            }
        };
    }

    /** The fields in order, read only (as Netty's iterators are). */
    private abstract class Fields<E> implements Iterator<E> {
        private int next;

        abstract E entry(CharSequence name, CharSequence value);

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public E next() {
            if (next >= size) {
                throw new NoSuchElementException();
            }
            int i = next++;
            return entry(fields[i << 1], fields[(i << 1) + 1]);
        }

        @Override
        public void remove() {
            throw new UnsupportedOperationException("read only");
        }
    }

    // ---- changes

    @SuppressWarnings("JavaUtilDate") // what Netty's headers take as values
    private CharSequence value(CharSequence name, Object value) {
        Objects.requireNonNull(value, "value");
        CharSequence text;
        try {
            if (value instanceof CharSequence sequence) {
                text = sequence;
            } else if (value instanceof Date date) {
                text = DateFormatter.format(date);
            } else if (value instanceof Calendar calendar) {
                text = DateFormatter.format(calendar.getTime());
            } else {
                text = value.toString();
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Failed to convert object value for header '" + name + '\'', e);
        }
        try {
            sizing.values.validate(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Validation failed for header '" + name + "'", e);
        }
        return text;
    }

    private void append(CharSequence name, int h, CharSequence value) {
        if (size == hashes.length) {
            int capacity = Math.max(sizing.room, size + (size >> 1) + 1);
            sizing.grew(capacity);
            fields = Arrays.copyOf(fields, capacity << 1);
            hashes = Arrays.copyOf(hashes, capacity);
        }
        fields[size << 1] = name;
        fields[(size << 1) + 1] = value;
        hashes[size] = h;
        present |= bit(h);
        size++;
    }

    /** Removes every field named {@code name} (hash {@code h}), keeping the order of the rest. */
    private void removeAll(CharSequence name, int h) {
        int first = indexOf(name, h, 0);
        if (first >= 0) { // the common case (a hop-by-hop field nobody sent) writes nothing
            removeFrom(first, i -> hashes[i] == h && sameName(fields[i << 1], name));
        }
    }

    /**
     * Removes every field whose name {@code remove} takes, in one pass (removing them by name one at a time is a scan
     * each: quadratic in a head of thousands of distinct names).
     */
    void removeIf(Predicate<CharSequence> remove) {
        int first = 0;
        while (first < size && !remove.test(fields[first << 1])) {
            first++; // the usual case, nothing to remove, writes nothing
        }
        if (first < size) {
            removeFrom(first, i -> remove.test(fields[i << 1]));
        }
    }

    /** Removes field {@code first} and every later one {@code removed} takes (by index), keeping the order. */
    private void removeFrom(int first, IntPredicate removed) {
        CharSequence[] f = fields;
        int kept = first;
        long bits = 0;
        for (int i = 0; i < first; i++) {
            bits |= bit(hashes[i]);
        }
        for (int i = first + 1; i < size; i++) {
            if (!removed.test(i)) {
                f[kept << 1] = f[i << 1];
                f[(kept << 1) + 1] = f[(i << 1) + 1];
                hashes[kept] = hashes[i];
                bits |= bit(hashes[i]);
                kept++;
            }
        }
        Arrays.fill(f, kept << 1, size << 1, null);
        size = kept;
        present = bits;
    }

    private CharSequence checkedName(CharSequence name) {
        Objects.requireNonNull(name, "name");
        sizing.names.validateName(name);
        return name;
    }

    @Override
    public HttpHeaders add(String name, Object value) {
        return add((CharSequence) name, value);
    }

    @Override
    public HttpHeaders add(CharSequence name, Object value) {
        CharSequence checked = checkedName(name);
        append(checked, hash(checked), value(checked, value));
        return this;
    }

    @Override
    public HttpHeaders add(String name, Iterable<?> values) {
        return add((CharSequence) name, values);
    }

    @Override
    public HttpHeaders add(CharSequence name, Iterable<?> values) {
        CharSequence checked = checkedName(name);
        int h = hash(checked);
        for (Object value : values) {
            append(checked, h, value(checked, value));
        }
        return this;
    }

    @Override
    public HttpHeaders addInt(CharSequence name, int value) {
        return add(name, String.valueOf(value));
    }

    @Override
    public HttpHeaders addShort(CharSequence name, short value) {
        return addInt(name, value); // the same digits
    }

    @Override
    public HttpHeaders set(String name, Object value) {
        return set((CharSequence) name, value);
    }

    @Override
    public HttpHeaders set(CharSequence name, Object value) {
        CharSequence checked = checkedName(name);
        CharSequence text = value(checked, value);
        int h = hash(checked);
        removeAll(checked, h);
        append(checked, h, text);
        return this;
    }

    @Override
    public HttpHeaders set(String name, Iterable<?> values) {
        return set((CharSequence) name, values);
    }

    @Override
    public HttpHeaders set(CharSequence name, Iterable<?> values) {
        CharSequence checked = checkedName(name);
        Objects.requireNonNull(values, "values");
        int h = hash(checked);
        removeAll(checked, h);
        for (Object value : values) {
            if (value == null) {
                break; // as Netty's headers stop at the first null of an iterable
            }
            append(checked, h, value(checked, value));
        }
        return this;
    }

    @Override
    public HttpHeaders setInt(CharSequence name, int value) {
        return set(name, String.valueOf(value));
    }

    @Override
    public HttpHeaders setShort(CharSequence name, short value) {
        return setInt(name, value); // the same digits
    }

    @Override
    public HttpHeaders remove(String name) {
        return remove((CharSequence) name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        removeAll(name, hash(name));
        return this;
    }

    @Override
    public HttpHeaders clear() {
        Arrays.fill(fields, 0, size << 1, null);
        size = 0;
        present = 0;
        return this;
    }

    @Override
    public HttpHeaders copy() {
        FlatHeaders copy = new FlatHeaders(sizing);
        copy.fields = size == 0 ? NONE : Arrays.copyOf(fields, fields.length);
        copy.hashes = size == 0 ? NO_HASHES : Arrays.copyOf(hashes, hashes.length);
        copy.size = size;
        copy.present = present;
        return copy;
    }

    /** The same fields in the same order, names compared case-insensitively and values exactly. */
    @Override
    public boolean equals(@Nullable Object o) {
        if (!(o instanceof FlatHeaders other) || other.size != size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!sameName(fields[i << 1], other.fields[i << 1])
                    || !AsciiString.contentEquals(fields[(i << 1) + 1], other.fields[(i << 1) + 1])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = size;
        for (int i = 0; i < size; i++) {
            hash = 31 * hash + hashes[i];
            hash = 31 * hash + fields[(i << 1) + 1].toString().hashCode();
        }
        return hash;
    }
}
