package dev.usher.benchmarks.load;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/** Writes maps, lists, strings, numbers, booleans and nulls as indented JSON (the harness needs no parser). */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String text) {
            string(out, text);
        } else if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            // Six significant digits are plenty for measurements; JSON has no NaN or infinity.
            out.append(Double.isFinite(number)
                    ? new BigDecimal(number).round(new MathContext(6)).stripTrailingZeros().toPlainString()
                    : "null");
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            container(out, '{', '}', map.entrySet(), depth, (entry, d) -> {
                string(out, String.valueOf(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue(), d);
            });
        } else if (value instanceof Collection<?> list) {
            container(out, '[', ']', list, depth, (item, d) -> write(out, item, d));
        } else {
            string(out, value.toString());
        }
    }

    private interface ItemWriter<T> {
        void write(T item, int depth);
    }

    private static <T> void container(StringBuilder out, char open, char close, Collection<T> items, int depth,
            ItemWriter<T> writer) {
        out.append(open);
        if (items.isEmpty()) {
            out.append(close);
            return;
        }
        boolean first = true;
        for (T item : items) {
            out.append(first ? "\n" : ",\n").append("  ".repeat(depth + 1));
            writer.write(item, depth + 1);
            first = false;
        }
        out.append('\n').append("  ".repeat(depth)).append(close);
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
