package dev.usher.k8s.translate;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.Annotations.Verdict;
import dev.usher.routing.ResponseRewrites;
import dev.usher.routing.ResponseRewrites.Rule;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code proxy-redirect-from}/{@code proxy-redirect-to}, {@code proxy-cookie-domain} and
 * {@code proxy-cookie-path}, rendered as nginx's {@code proxy_redirect}, {@code proxy_cookie_domain} and
 * {@code proxy_cookie_path}. As in ingress-nginx's template, {@code proxy-redirect-from: off} or {@code default}
 * leaves redirects alone (nginx's {@code default} rewrites only its own upstream name, {@code http://upstream_balancer/},
 * which no origin sends), and a redirect rewrite needs both keys, {@code proxy-redirect-to} not {@code off}. The cookie
 * keys are {@code off} or {@code "<from> <to>"}.
 *
 * <p>Values are held to ingress-nginx's validators (letters, digits and {@code -._~/:,?&=}; the cookie domains without
 * {@code ,?&=}), so no CR/LF, control character, space, quote or {@code $} variable can reach a response field, and
 * to what nginx itself accepts (one word per parameter, at most {@value ResponseRewrites#MAX_LENGTH} characters). A
 * regular expression ({@code ~...}) is not implemented. An invalid value is reported by the audit and ignored.
 */
final class NginxResponseRewrites {

    static final String REDIRECT_FROM = "proxy-redirect-from";
    static final String REDIRECT_TO = "proxy-redirect-to";
    static final String COOKIE_DOMAIN = "proxy-cookie-domain";
    static final String COOKIE_PATH = "proxy-cookie-path";

    private static final String OFF = "off";
    private static final String DEFAULT = "default";
    /** ingress-nginx's URLIsValidRegex (after it removed spaces). */
    private static final Pattern URL_CHARS = Pattern.compile("[-._~A-Za-z0-9/:,?&=]+");
    /** ingress-nginx's cookieDomainChars. */
    private static final Pattern DOMAIN_CHARS = Pattern.compile("[-._~A-Za-z0-9/:]+");
    /** nginx's separators between parameters that ingress-nginx's cookie-domain check lets through ({@code \s+}). */
    private static final Pattern SEPARATORS = Pattern.compile("[ \t]+");
    /** The only separator ingress-nginx's URL check lets through (it removes spaces before matching). */
    private static final Pattern SPACES = Pattern.compile(" +");

    private NginxResponseRewrites() {}

    /** The Ingress's response rewrites, or {@code null} when none is on (or only invalid values are given). */
    static @Nullable ResponseRewrites read(Map<String, String> a) {
        Rule redirect = redirect(value(a, REDIRECT_FROM), value(a, REDIRECT_TO));
        String domain = value(a, COOKIE_DOMAIN);
        String path = value(a, COOKIE_PATH);
        Rule cookieDomain = domain == null || OFF.equals(domain) ? null : pair(domain, true);
        Rule cookiePath = path == null || OFF.equals(path) ? null : pair(path, false);
        return redirect == null && cookieDomain == null && cookiePath == null
                ? null
                : new ResponseRewrites(redirect, cookieDomain, cookiePath);
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        if (value.length() > ResponseRewrites.MAX_LENGTH) {
            return "longer than " + ResponseRewrites.MAX_LENGTH + " characters";
        }
        return switch (name) {
            case REDIRECT_FROM -> wordProblem(value, true, "expected a URL prefix, \"off\" or \"default\"");
            case REDIRECT_TO -> wordProblem(value, false, "expected a URL prefix or \"off\"");
            case COOKIE_DOMAIN -> pairProblem(value, true);
            case COOKIE_PATH -> pairProblem(value, false);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * {@code verdict} on one of this class's keys, saying when it has no effect: {@code off}, or a redirect key
     * without the other (as in ingress-nginx, whose template writes {@code proxy_redirect from to} only when both are
     * set); other verdicts unchanged.
     */
    static Verdict paired(Map<String, String> a, Verdict verdict) {
        String key = verdict.key();
        if (verdict.status() == Status.HONOURED
                && (key.equals(Annotations.NGINX + COOKIE_DOMAIN) || key.equals(Annotations.NGINX + COOKIE_PATH))
                && OFF.equals(a.get(key).trim())) {
            return new Verdict(
                    key, Status.HONOURED, "as ingress-nginx: \"off\": Set-Cookie goes out as the origin sent it");
        }
        boolean from = key.equals(Annotations.NGINX + REDIRECT_FROM);
        boolean to = key.equals(Annotations.NGINX + REDIRECT_TO);
        if (verdict.status() != Status.HONOURED || !from && !to) {
            return verdict;
        }
        String fromValue = value(a, REDIRECT_FROM);
        String toValue = value(a, REDIRECT_TO);
        String reason;
        if (fromValue != null && (OFF.equals(fromValue) || DEFAULT.equals(fromValue))) {
            reason = from
                    ? "as ingress-nginx: " + Problems.quote(fromValue) + " leaves Location and Refresh as the origin"
                            + " sent them (nginx's default rewrites only its own upstream name, which no origin sends)"
                    : "no effect: proxy-redirect-from is \"off\" or \"default\", as in ingress-nginx";
        } else if (fromValue == null) {
            reason = "no effect without a valid proxy-redirect-from, as in ingress-nginx (redirects stay as sent)";
        } else if (toValue == null) {
            reason = "no effect without a valid proxy-redirect-to, as in ingress-nginx (redirects stay as sent)";
        } else if (OFF.equals(toValue)) {
            reason = "as ingress-nginx: proxy-redirect-to \"off\" leaves Location and Refresh as the origin sent them";
        } else {
            reason = "as ingress-nginx: a Location (and Refresh url=) beginning with proxy-redirect-from"
                    + " (case-sensitive) gets proxy-redirect-to instead of that prefix";
        }
        return new Verdict(key, Status.HONOURED, reason);
    }

    private static @Nullable Rule redirect(@Nullable String from, @Nullable String to) {
        if (from == null || to == null || OFF.equals(from) || DEFAULT.equals(from) || OFF.equals(to)) {
            return null;
        }
        return new Rule(from, to);
    }

    /** {@code value}'s two words as a rule; for a domain, each without its leading dot (as nginx keeps them). */
    private static Rule pair(String value, boolean domain) {
        String[] words = (domain ? SEPARATORS : SPACES).split(value);
        return domain ? new Rule(undotted(words[0]), undotted(words[1])) : new Rule(words[0], words[1]);
    }

    private static String undotted(String domain) {
        return domain.startsWith(".") ? domain.substring(1) : domain;
    }

    private static @Nullable String wordProblem(String value, boolean from, String expected) {
        if (value.isEmpty()) {
            return expected;
        }
        if (SEPARATORS.matcher(value).find()) {
            return "one word expected, without spaces (" + expected + ")";
        }
        if (!URL_CHARS.matcher(value).matches()) {
            return "only ingress-nginx's URL characters are admitted: letters, digits and -._~/:,?&=";
        }
        if (from && value.startsWith("~")) {
            return "a regular expression (~) is not implemented; only a prefix";
        }
        return null;
    }

    private static @Nullable String pairProblem(String value, boolean domain) {
        if (OFF.equals(value)) {
            return null;
        }
        String expected =
                domain ? "expected \"off\" or \"<from domain> <to domain>\"" : "expected \"off\" or \"<from> <to>\"";
        String[] words = (domain ? SEPARATORS : SPACES).split(value);
        if (value.isEmpty() || words.length != 2 || words[0].isEmpty()) {
            return expected;
        }
        Pattern chars = domain ? DOMAIN_CHARS : URL_CHARS;
        for (String word : words) {
            if (!chars.matcher(word).matches()) {
                return domain
                        ? "only ingress-nginx's domain characters are admitted: letters, digits and -._~/:"
                        : "only ingress-nginx's URL characters are admitted: letters, digits and -._~/:,?&=";
            }
            if (domain && undotted(word).isEmpty()) {
                return expected;
            }
        }
        if (words[0].startsWith("~")) {
            return "a regular expression (~) is not implemented; only " + (domain ? "a domain" : "a prefix");
        }
        return null;
    }

    /** The trimmed value when present and valid, else {@code null} (trimmed as the audit trims it). */
    private static @Nullable String value(Map<String, String> a, String name) {
        String value = a.get(Annotations.NGINX + name);
        if (value == null) {
            return null;
        }
        String v = value.trim();
        return problem(name, v) == null ? v : null;
    }
}
