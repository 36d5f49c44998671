package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.HeaderEdit;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation fuzzer for the snippet reader: whatever bytes an Ingress's author writes, {@link
 * NginxSnippetHeaders#parse} answers (edits or a reason, never an exception), and every edit it accepts has a token
 * name that is not the proxy's own and a value of visible ASCII (an expanded variable's unsafe bytes are
 * percent-encoded: {@code NginxTemplateTest}), and the origin's {@code Host} only as {@code $host}, so nothing a snippet
 * holds can split or re-frame a message. Replay a failure with {@code -Dusher.fuzz.seed=N}.
 */
final class NginxSnippetHeadersFuzzTest {

    private static final List<String> SEEDS = List.of(
            "more_set_headers \"X-Frame-Options: DENY\" 'X-A:  b';",
            "add_header Strict-Transport-Security \"max-age=1; includeSubDomains\" always;",
            "more_clear_headers Server X-Powered-By; proxy_hide_header X-Internal;",
            "proxy_set_header X-Tenant blue; more_set_input_headers \"X-Env: prod\";",
            "proxy_set_header Upgrade $http_upgrade; proxy_set_header X-Real-IP $remote_addr;",
            "more_set_headers \"X-Seen: $scheme://${host}$request_uri\"; proxy_set_header X-H $host;",
            "more_set_headers \"Access-Control-Allow-Origin: $http_origin\"; proxy_set_header Host $host;",
            "proxy_set_header X-U \"$remote_user:$cookie_s\"; proxy_set_header Host $http_host;",
            "more_set_headers -s '404 500' -t text/html \"X-A: b\"; more_clear_headers -s 304 Server;",
            "# comment\nmore_clear_input_headers User-Agent;\n",
            "more_set_headers \"X-Q: say \\\"hi\\\"\\tnow\";");
    private static final String ALPHABET = " \t\r\n;{}\"'\\#$:-_*aZ09\u0000\u007f\u00e9\u2028";

    @Test
    void anyMutation_isAnsweredSafely() {
        long seed = Long.getLong("usher.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            String input = mutate(SEEDS.get(random.nextInt(SEEDS.size())), random);
            NginxSnippetHeaders.Parsed parsed;
            try {
                parsed = NginxSnippetHeaders.parse(input);
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + ": parse threw on " + escape(input), e);
            }
            if (parsed.problem() != null) {
                assertThat(parsed.edits()).as("seed %d", seed).isEmpty();
                assertThat(parsed.requestEdits()).as("seed %d", seed).isEmpty();
                continue;
            }
            accepted++;
            for (HeaderEdit edit : concat(parsed.edits(), parsed.requestEdits())) {
                assertThat(HeaderEdit.nameProblem(edit.name()))
                        .as("seed %d, %s", seed, escape(input))
                        .isNull();
                assertThat(edit.name())
                        .as("seed %d: never a variable in a name", seed)
                        .doesNotContain("$");
                if (edit.value() != null) {
                    assertThat(edit.value())
                            .as("seed %d, %s", seed, escape(input))
                            .matches("[\\x20-\\x7e\\t]*");
                    assertThat(edit.value()).doesNotStartWith(" ").doesNotEndWith(" ");
                }
            }
            for (HeaderEdit edit : parsed.requestEdits()) {
                if (edit.name().equals("host")) {
                    assertThat(edit.value())
                            .as("seed %d: the origin's Host only as $host", seed)
                            .isEqualTo("$host");
                }
            }
        }
        assertThat(accepted).as("seed %d: some mutations stay valid", seed).isPositive();
    }

    private static String mutate(String seed, Random random) {
        StringBuilder s = new StringBuilder(seed);
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = s.isEmpty() ? 0 : random.nextInt(s.length() + 1);
            char c = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            switch (random.nextInt(3)) {
                case 0 -> s.insert(at, c);
                case 1 -> {
                    if (at < s.length()) {
                        s.deleteCharAt(at);
                    }
                }
                default -> {
                    if (at < s.length()) {
                        s.setCharAt(at, c);
                    }
                }
            }
        }
        return s.toString();
    }

    private static List<HeaderEdit> concat(List<HeaderEdit> a, List<HeaderEdit> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return out.toString();
    }
}
