package dev.usher.routing;

import java.util.Map;
import java.util.Objects;

/**
 * HTTP Basic authentication of an Ingress (ingress-nginx's {@code auth-type: basic} with {@code auth-secret} and
 * {@code auth-realm}): the users and their password hashes as htpasswd writes them (bcrypt, {@code $apr1$} MD5,
 * {@code {SHA}}); the proxy verifies them.
 *
 * @param realm the realm named in {@code WWW-Authenticate}, printable ASCII without {@code "} or {@code \}
 * @param users user name to password hash
 */
public record BasicAuth(String realm, Map<String, String> users) {

    public BasicAuth {
        Objects.requireNonNull(realm, "realm");
        users = Map.copyOf(Objects.requireNonNull(users, "users"));
        for (int i = 0; i < realm.length(); i++) {
            char c = realm.charAt(i);
            if (c < ' ' || c >= 0x7f || c == '"' || c == '\\') {
                throw new IllegalArgumentException("realm must be printable ASCII without quotes or backslashes");
            }
        }
    }

    @Override
    public String toString() {
        return "BasicAuth[realm=" + realm + ", users=" + users.size() + "]"; // never the hashes
    }
}
