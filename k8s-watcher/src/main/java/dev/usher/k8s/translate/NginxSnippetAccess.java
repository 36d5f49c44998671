package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.IngressRuleSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Access control in a snippet Usher refuses. A refused snippet is ignored, and ignoring {@code deny all;} or
 * {@code if ($http_x_token != "s3cret") { return 403; }} would open to everyone what the snippet closed. So an Ingress
 * whose refused {@code configuration-snippet}, {@code server-snippet} or {@code auth-snippet} holds a directive that
 * can refuse a request fails closed (503, reported), as an invalid source range or {@code auth-url} does; a
 * {@code server-snippet}'s closes every Ingress of its hosts ({@link #closeHosts}). ingress-nginx itself rejects an
 * Ingress whose snippet its administrator does not allow.
 *
 * <p>Those directives: {@code allow}, {@code deny}, {@code auth_basic}, {@code auth_basic_user_file},
 * {@code auth_request}, {@code auth_jwt}, {@code satisfy}, {@code limit_except}, {@code access_by_lua*},
 * {@code ssl_verify_client} (but {@code off}), and a {@code return} of a status of 400 or more. They are found where
 * nginx would read a directive name: the first word of a statement, at any depth of blocks ({@code location},
 * {@code if}); quoted strings, escapes and {@code #} comments are read as nginx reads them, so a field value such as
 * {@code "X-Frame-Options: DENY"} is no directive. The scan never fails: text nginx could not parse is read as far as
 * it goes.
 */
final class NginxSnippetAccess {

    /** The snippet annotations whose text nginx would put in a server or location of the Ingress's hosts. */
    static final String SERVER_SNIPPET = "server-snippet";

    static final List<String> SNIPPETS =
            List.of(NginxSnippetHeaders.CONFIGURATION_SNIPPET, SERVER_SNIPPET, "auth-snippet");

    private static final Set<String> ACCESS = Set.of(
            "allow",
            "deny",
            "auth_basic",
            "auth_basic_user_file",
            "auth_request",
            "auth_jwt",
            "satisfy",
            "limit_except");

    private NginxSnippetAccess() {}

    /**
     * Why the Ingress fails closed: the first refused snippet annotation holding access control, or {@code null}.
     */
    static @Nullable String denied(Map<String, String> a) {
        for (String name : SNIPPETS) {
            String value = a.get(Annotations.NGINX + name);
            String directive = value == null ? null : refusedAccess(name, value);
            if (directive != null) {
                return "annotation " + Annotations.NGINX + name + ": " + failsClosed(directive);
            }
        }
        return null;
    }

    /**
     * A {@code server-snippet} is nginx's text for the whole server block, so its access control covers every path of
     * its hosts, other Ingresses' too: each other Ingress with one of those hosts fails closed as well (503, reported;
     * one that has other hosts too closes for all of them, as a per-host setting does elsewhere). As ingress-nginx's
     * other per-host settings, a host's is the oldest Ingress's: a newer Ingress, perhaps another tenant's, cannot
     * close the paths of a host it does not own, only its own.
     */
    static List<Converted> closeHosts(List<Converted> ingresses, KubeObjects objects, Problems problems) {
        Map<String, String> directives = new HashMap<>(); // Ingress id -> the access control of its server-snippet
        for (Ingress ingress : objects.ingresses()) {
            Map<String, String> a = ingress.getMetadata().getAnnotations();
            String value = a == null ? null : a.get(Annotations.NGINX + SERVER_SNIPPET);
            String directive = value == null ? null : access(value);
            if (directive != null) {
                directives.put(KubeObjects.ref(ingress).toString(), directive);
            }
        }
        if (directives.isEmpty()) {
            return ingresses;
        }
        List<Converted> oldestFirst = new ArrayList<>(ingresses);
        oldestFirst.sort(Translator.OLDEST_FIRST);
        Map<String, String> owner = new HashMap<>(); // host -> the oldest Ingress with it
        for (Converted c : oldestFirst) {
            NginxAuthTls.hosts(c.ruleSet())
                    .forEach(host -> owner.putIfAbsent(host, c.ruleSet().id()));
        }
        List<Converted> closed = new ArrayList<>(ingresses.size());
        for (Converted c : ingresses) {
            IngressRuleSet r = c.ruleSet();
            String host = NginxAuthTls.hosts(r).stream()
                    .filter(h -> !owner.get(h).equals(r.id()) && directives.containsKey(owner.get(h)))
                    .findFirst()
                    .orElse(null);
            if (host == null || r.options().denied() != null) {
                closed.add(c);
                continue;
            }
            String reason = "host " + host + ": the server-snippet of Ingress " + owner.get(host)
                    + " holds access control Usher does not apply ('" + directives.get(owner.get(host))
                    + "'), so every Ingress of the host fails closed (503): a server-snippet covers every path of"
                    + " its hosts";
            problems.add("Ingress " + r.id(), reason);
            closed.add(c.withOptions(r.options().toBuilder().denied(reason).build()));
        }
        return closed;
    }

    /** What the audit adds to a refused snippet's verdict: why the Ingress fails closed, or nothing. */
    static String verdictNote(String name, @Nullable String value) {
        String directive = value == null || !SNIPPETS.contains(name) ? null : access(value);
        return directive == null ? "" : "; " + failsClosed(directive);
    }

    private static String failsClosed(String directive) {
        return "it holds access control Usher does not apply ('" + directive + "'), so the Ingress fails closed (503)";
    }

    /** The access-control directive of a snippet Usher refuses, or {@code null} (none, or the snippet is read). */
    private static @Nullable String refusedAccess(String name, String value) {
        if (name.equals(NginxSnippetHeaders.CONFIGURATION_SNIPPET)
                && NginxSnippetHeaders.parse(value).problem() == null) {
            return null; // header directives and a redirect: read, nothing refused
        }
        return access(value);
    }

    /** The first directive of {@code snippet} that can refuse a request, as written, or {@code null}. */
    static @Nullable String access(String snippet) {
        for (List<String> statement : statements(snippet)) {
            String name = statement.get(0).toLowerCase(Locale.ROOT);
            if (ACCESS.contains(name) || name.startsWith("access_by_lua")) {
                return statement.get(0);
            }
            if (name.equals("ssl_verify_client")
                    && !(statement.size() > 1 && statement.get(1).equalsIgnoreCase("off"))) {
                return statement.get(0);
            }
            if (name.equals("return") && statement.size() > 1 && refusing(statement.get(1))) {
                return "return " + statement.get(1);
            }
        }
        return null;
    }

    /** Whether a {@code return}'s first argument is a status of 400 or more (nginx's 444 closes the connection). */
    private static boolean refusing(String status) {
        if (status.length() != 3 || !status.chars().allMatch(Character::isDigit)) {
            return false;
        }
        return Integer.parseInt(status) >= 400;
    }

    /**
     * The statements of a snippet, each the words up to its semicolon or brace; a block's opening
     * statement ({@code location /x}, {@code if ($a)}) is one, and the statements inside it follow.
     */
    static List<List<String>> statements(String text) {
        List<List<String>> statements = new ArrayList<>();
        List<String> words = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ';' || c == '{' || c == '}') {
                if (!words.isEmpty()) {
                    statements.add(words);
                    words = new ArrayList<>();
                }
                i++;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < n && text.charAt(i) != '\n') {
                    i++;
                }
            } else {
                StringBuilder word = new StringBuilder();
                char quote = c == '"' || c == '\'' ? c : 0;
                i += quote == 0 ? 0 : 1;
                while (i < n) {
                    char d = text.charAt(i);
                    if (quote != 0 ? d == quote : Character.isWhitespace(d) || ";{}".indexOf(d) >= 0) {
                        i += quote == 0 ? 0 : 1;
                        break;
                    }
                    if (d == '\\' && i + 1 < n) {
                        i++;
                        d = text.charAt(i);
                    }
                    word.append(d);
                    i++;
                }
                words.add(word.toString());
            }
        }
        if (!words.isEmpty()) {
            statements.add(words);
        }
        return statements;
    }
}
