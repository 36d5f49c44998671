package dev.usher.routing;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Compiles a regular expression an Ingress author wrote (regex paths, {@code canary-by-header-pattern},
 * {@code auth-tls-match-cn}) with RE2/J, after bounding the size of the program it compiles to.
 *
 * <p>Why: RE2/J caps each repetition count at 1000 but, unlike Go's regexp and C++ RE2, not the program as a whole:
 * it expands {@code x{n}} into n copies, so nested counts multiply. {@code ((a{1000}){1000}){1000}} asks for 10^9
 * instructions, an {@link OutOfMemoryError} in the thread that compiles every Ingress (the whole controller), and
 * {@code (a{1000}){1000}} took 1.5 s and 400 MB per compile, on every rebuild. Matching time grows with the program's
 * size times the path's length, on the event loop: an 8 KiB path took 1.1 s against a program of about 9,000
 * instructions, 33 ms at 2,000 and 14 ms at 1,000 ({@code (.{1,10}){90}}). {@link #size} is an upper bound of
 * the program's size read from the expression's text (each literal, class or operator 1, a group its contents, a
 * counted repetition its operand times its largest count); above {@link #MAX_SIZE} the expression is refused as RE2
 * refuses a syntax error.
 */
public final class BoundedRegex {

    /** The largest program size taken; an nginx location regex is a few dozen ({@code .{1,1000}} is 1,000). */
    public static final int MAX_SIZE = 2_000;

    private static final long CAP = 1L << 40;

    private BoundedRegex() {}

    /**
     * {@link Pattern#compile(String, int)} for an expression of at most {@link #MAX_SIZE}.
     *
     * @throws PatternSyntaxException when RE2 refuses it, or when it is larger
     */
    public static Pattern compile(String regex, int flags) {
        if (size(regex) > MAX_SIZE) {
            throw new PatternSyntaxException(
                    "expression too large: its repetitions expand to more than " + MAX_SIZE + " instructions", regex);
        }
        return Pattern.compile(regex, flags);
    }

    /** {@link #compile(String, int)} without flags. */
    public static Pattern compile(String regex) {
        return compile(regex, 0);
    }

    /** An upper bound of the size of the program {@code regex} compiles to (stops counting past the bound). */
    static long size(String regex) {
        Deque<Long> outer = new ArrayDeque<>();
        long total = 0;
        long last = 0;
        int n = regex.length();
        int i = 0;
        while (i < n && total <= MAX_SIZE) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < n && regex.charAt(i + 1) == 'Q') {
                int end = regex.indexOf("\\E", i + 2);
                int stop = end < 0 ? n : end;
                total = add(total, stop - (i + 2));
                last = 1;
                i = end < 0 ? n : end + 2;
            } else if (c == '\\') {
                i = escapeEnd(regex, i);
                total = add(total, 1);
                last = 1;
            } else if (c == '[') {
                i = classEnd(regex, i);
                total = add(total, 1);
                last = 1;
            } else if (c == '(') {
                outer.push(total);
                total = 0;
                last = 0;
                i++;
            } else if (c == ')') {
                long group = add(total, 1);
                total = add(outer.isEmpty() ? 0 : outer.pop(), group);
                last = group;
                i++;
            } else if (c == '{' && repeatEnd(regex, i) > 0) {
                int close = repeatEnd(regex, i);
                String[] bounds = regex.substring(i + 1, close).split(",", -1);
                long min = Long.parseLong(bounds[0]);
                long count = bounds.length == 1
                        ? min
                        : bounds[1].isEmpty() ? min + 1 : Math.max(min, Long.parseLong(bounds[1]));
                total = add(total, multiply(last, Math.max(count, 1) - 1) + 1);
                last = multiply(last, Math.max(count, 1));
                i = close + 1;
            } else {
                total = add(total, 1);
                last = c == '|' ? 0 : 1;
                i++;
            }
        }
        while (!outer.isEmpty()) {
            total = add(outer.pop(), total);
        }
        return total;
    }

    /** The index after the escape starting at {@code i} ({@code \d}, {@code \pL}, {@code \p{Greek}}, {@code \x{41}}). */
    private static int escapeEnd(String regex, int i) {
        int n = regex.length();
        if (i + 2 < n && "pPx".indexOf(regex.charAt(i + 1)) >= 0 && regex.charAt(i + 2) == '{') {
            int close = regex.indexOf('}', i + 3);
            return close < 0 ? n : close + 1;
        }
        return Math.min(i + 2, n);
    }

    /** The index after the character class starting at {@code i}. */
    private static int classEnd(String regex, int i) {
        int n = regex.length();
        int j = i + 1;
        if (j < n && regex.charAt(j) == '^') {
            j++;
        }
        if (j < n && regex.charAt(j) == ']') {
            j++;
        }
        while (j < n) {
            char c = regex.charAt(j);
            if (c == '\\') {
                j = escapeEnd(regex, j);
            } else if (c == '[' && j + 1 < n && regex.charAt(j + 1) == ':') {
                int close = regex.indexOf(":]", j + 2);
                j = close < 0 ? j + 1 : close + 2;
            } else if (c == ']') {
                return j + 1;
            } else {
                j++;
            }
        }
        return n;
    }

    /** The index of the {@code }} closing a counted repetition {@code {n}}, {@code {n,}} or {@code {n,m}} at {@code i}, else -1. */
    private static int repeatEnd(String regex, int i) {
        int n = regex.length();
        int j = i + 1;
        int digits = 0;
        while (j < n && Character.isDigit(regex.charAt(j)) && regex.charAt(j) < 0x80) {
            j++;
            digits++;
        }
        if (digits == 0 || digits > 9 || j >= n) {
            return -1;
        }
        if (regex.charAt(j) == '}') {
            return j;
        }
        if (regex.charAt(j) != ',') {
            return -1;
        }
        j++;
        int more = 0;
        while (j < n && Character.isDigit(regex.charAt(j)) && regex.charAt(j) < 0x80) {
            j++;
            more++;
        }
        return more <= 9 && j < n && regex.charAt(j) == '}' ? j : -1;
    }

    private static long add(long a, long b) {
        return Math.min(CAP, a + b);
    }

    private static long multiply(long a, long b) {
        return a != 0 && b > CAP / a ? CAP : Math.min(CAP, a * b);
    }
}
