package dev.usher.k8s.translate;

import dev.usher.routing.BasicAuth;
import dev.usher.routing.RouteOptions;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * ingress-nginx's Basic authentication: {@code auth-type: basic}, {@code auth-secret} ({@code name} or
 * {@code namespace/name} in the Ingress's own namespace), {@code auth-secret-type} ({@code auth-file}: htpasswd lines
 * under the key {@code auth}, the default; {@code auth-map}: one key per user, its hash as value) and
 * {@code auth-realm}. Hashes as htpasswd writes them: bcrypt ({@code -B}), {@code $apr1$} MD5 ({@code -m}) and
 * {@code {SHA}} ({@code -s}); a line in another form (crypt(3) DES, {@code $1$}, {@code $5$}, {@code $6$}, plain
 * text) is reported and that user cannot log in.
 *
 * <p>Whatever keeps the protection from being set up - another {@code auth-type}, no or a foreign Secret name, a
 * missing Secret or key - fails closed as in ingress-nginx: the Ingress's paths answer 503, reported as a problem.
 */
public final class NginxBasicAuth {

    static final String TYPE = "auth-type";
    static final String SECRET = "auth-secret";
    static final String SECRET_TYPE = "auth-secret-type";
    static final String REALM = "auth-realm";

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");
    /**
     * The highest bcrypt cost taken. A check holds one of the proxy's few password-check threads and is not cached
     * when it fails, and each cost step doubles it (cost 12: about 0.25 s, cost 31: about 36 hours), so a costlier hash
     * in a tenant's Secret would let any request for its host take every password check of the proxy.
     */
    static final int MAX_BCRYPT_COST = 12;

    private static final Pattern APR1 = Pattern.compile("\\$apr1\\$[^$:]{1,8}\\$[./0-9A-Za-z]{22}");
    private static final Pattern SHA = Pattern.compile("\\{SHA\\}[A-Za-z0-9+/]{27}=");
    /** ingress-nginx's realm characters (CharsWithSpace): alphanumerics, {@code -._~/:} and spaces. */
    private static final Pattern REALM_CHARS = Pattern.compile("[-._~/: A-Za-z0-9]*");

    private NginxBasicAuth() {}

    /** {@code type} of the Secrets Basic auth reads ({@code kubectl create secret generic}). */
    public static final String SECRET_KIND = "Opaque";

    /**
     * The Secret {@code namespace/name} an Ingress's Basic auth reads, or {@code null}: the cluster cache rebuilds
     * routes when it changes.
     */
    public static String secretKey(String namespace, Map<String, String> annotations) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        String type = a.get(Annotations.NGINX + TYPE);
        String name = a.get(Annotations.NGINX + SECRET);
        if (type == null || name == null || !"basic".equals(type.strip())) {
            return null;
        }
        String n = name.strip();
        int slash = n.indexOf('/');
        return slash < 0 ? namespace + "/" + n : n;
    }

    /**
     * {@code options} with the Ingress's Basic auth set, or denied with the reason reported; unchanged without
     * {@code auth-type}.
     */
    static RouteOptions apply(
            RouteOptions options,
            String namespace,
            Map<String, String> a,
            KubeObjects objects,
            String source,
            Problems problems) {
        String type = a.get(Annotations.NGINX + TYPE);
        if (type == null) {
            return options;
        }
        BasicAuth auth;
        try {
            auth = read(type.strip(), namespace, a, objects, source, problems);
        } catch (IllegalStateException e) {
            String reason = e.getMessage() + "; the Ingress fails closed (503)";
            problems.add(source, "annotation " + Annotations.NGINX + SECRET + ": " + reason);
            return options.toBuilder()
                    .denied(options.denied() != null ? options.denied() : reason)
                    .build();
        }
        return options.toBuilder().basicAuth(auth).build();
    }

    /** What is wrong with the value of {@code name} on its own (one of this class's keys), or {@code null}. */
    static String problem(String name, String value) {
        return switch (name) {
            case TYPE ->
                "basic".equals(value)
                        ? null
                        : "digest".equals(value)
                                ? "Digest authentication is not supported by Usher; the Ingress fails closed (503)"
                                : "expected \"basic\"; the Ingress fails closed (503)";
            case SECRET_TYPE ->
                "auth-file".equals(value) || "auth-map".equals(value)
                        ? null
                        : "expected \"auth-file\" or \"auth-map\"; the Ingress fails closed (503)";
            case REALM ->
                REALM_CHARS.matcher(value).matches()
                        ? null
                        : "a realm may hold only letters, digits, spaces and -._~/:";
            default -> value.isBlank() ? "names no Secret; the Ingress fails closed (503)" : null;
        };
    }

    private static BasicAuth read(
            String type,
            String namespace,
            Map<String, String> a,
            KubeObjects objects,
            String source,
            Problems problems) {
        if (!"basic".equals(type)) {
            throw new IllegalStateException("auth-type " + Problems.quote(type) + " is not supported (only basic)");
        }
        String name = a.getOrDefault(Annotations.NGINX + SECRET, "").strip();
        if (name.isEmpty()) {
            throw new IllegalStateException("auth-type basic needs auth-secret");
        }
        int slash = name.indexOf('/');
        if (slash >= 0 && !name.substring(0, slash).equals(namespace)) {
            throw new IllegalStateException("Secret " + Problems.quote(name)
                    + " is outside the Ingress's namespace; an Ingress may only use Secrets in its own");
        }
        String secretName = slash < 0 ? name : name.substring(slash + 1);
        Secret secret = objects.secret(namespace, secretName);
        if (secret == null) {
            throw new IllegalStateException("Secret " + namespace + "/" + secretName + " not found");
        }
        String secretType =
                a.getOrDefault(Annotations.NGINX + SECRET_TYPE, "auth-file").strip();
        Map<String, String> users = new LinkedHashMap<>();
        String id = "Secret " + namespace + "/" + secretName;
        if (secretType.equals("auth-file")) {
            byte[] file = TlsResolver.field(secret, "auth");
            if (file == null) {
                throw new IllegalStateException(id + " has no key \"auth\" (auth-secret-type auth-file)");
            }
            String[] lines = new String(file, StandardCharsets.UTF_8).split("\r?\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    problems.add(source, id + " line " + (i + 1) + " is not user:hash; skipped");
                    continue;
                }
                add(users, line.substring(0, colon), line.substring(colon + 1), id, source, problems);
            }
        } else if (secretType.equals("auth-map")) {
            Set<String> keys = new TreeSet<>();
            keys.addAll(secret.getData() == null ? Set.of() : secret.getData().keySet());
            keys.addAll(
                    secret.getStringData() == null
                            ? Set.of()
                            : secret.getStringData().keySet());
            for (String user : keys) {
                byte[] hash = TlsResolver.field(secret, user);
                add(
                        users,
                        user,
                        hash == null ? "" : new String(hash, StandardCharsets.UTF_8).strip(),
                        id,
                        source,
                        problems);
            }
        } else {
            throw new IllegalStateException(
                    "auth-secret-type " + Problems.quote(secretType) + " is not auth-file or auth-map");
        }
        if (users.isEmpty()) {
            problems.add(source, id + " holds no usable user; every request gets 401");
        }
        String realm = a.getOrDefault(Annotations.NGINX + REALM, "").strip();
        return new BasicAuth(REALM_CHARS.matcher(realm).matches() ? realm : "", users);
    }

    /** Adds a user whose hash is in a supported form; reports (without the hash) and skips any other. */
    private static void add(
            Map<String, String> users, String user, String hash, String id, String source, Problems problems) {
        if (BCRYPT.matcher(hash).matches() && Integer.parseInt(hash.substring(4, 6)) > MAX_BCRYPT_COST) {
            problems.add(
                    source,
                    id + ": user " + Problems.quote(user) + " has a bcrypt hash of cost " + hash.substring(4, 6)
                            + "; Usher takes cost " + MAX_BCRYPT_COST
                            + " at most (each check holds a password-check thread), so this user cannot log in");
            return;
        }
        if (BCRYPT.matcher(hash).matches()
                || APR1.matcher(hash).matches()
                || SHA.matcher(hash).matches()) {
            users.put(user, hash);
            return;
        }
        String form = hash.length() == 13
                ? "crypt(3) DES"
                : hash.startsWith("$1$")
                        ? "MD5-crypt $1$"
                        : hash.startsWith("$5$") || hash.startsWith("$6$") ? "SHA-crypt" : "unrecognised";
        problems.add(
                source,
                id + ": user " + Problems.quote(user) + " has a " + form
                        + " hash; Usher verifies bcrypt, $apr1$ and {SHA} only (htpasswd -B), so this user cannot log in");
    }
}
