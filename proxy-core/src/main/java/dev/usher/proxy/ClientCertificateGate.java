package dev.usher.proxy;

import dev.usher.routing.ClientCertificateAuth;
import dev.usher.routing.ClientCertificateAuth.Verify;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's client-certificate authentication ({@code auth-tls-*}) of a request, before anything else of its
 * Ingress (nginx checks {@code ssl_verify_client} when the request head is read): 421 when the TLS server name was
 * another host's, 400 (or a 302 to {@code auth-tls-error-page}) for a certificate the mode refuses, else the
 * {@code ssl-client-*} fields for the origin.
 *
 * <p>The verification result comes from the connection's TLS session alone. A client's own {@code ssl-client-*}
 * fields are removed from every request, whatever its route: an origin reading them must be able to trust them.
 */
final class ClientCertificateGate {

    static final AsciiString SSL_CLIENT_CERT = AsciiString.cached("ssl-client-cert");
    static final AsciiString SSL_CLIENT_VERIFY = AsciiString.cached("ssl-client-verify");
    static final AsciiString SSL_CLIENT_SUBJECT_DN = AsciiString.cached("ssl-client-subject-dn");
    static final AsciiString SSL_CLIENT_ISSUER_DN = AsciiString.cached("ssl-client-issuer-dn");

    /** nginx's texts for its 496 and 495, both answered as 400. */
    static final String NO_CERTIFICATE = "No required SSL certificate was sent";

    static final String BAD_CERTIFICATE = "The SSL certificate error";

    private static final byte[] UNRESERVED = new byte[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            UNRESERVED[c] = 1;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            UNRESERVED[c] = 1;
            UNRESERVED[Character.toLowerCase(c)] = 1;
        }
        for (char c : new char[] {'-', '.', '_', '~'}) {
            UNRESERVED[c] = 1;
        }
    }

    private ClientCertificateGate() {}

    /** Removes the {@code ssl-client-*} fields a client sent: only Usher sets them. */
    static void removeClientFields(HttpHeaders headers) {
        if (headers.isEmpty()) {
            return;
        }
        headers.remove(SSL_CLIENT_CERT);
        headers.remove(SSL_CLIENT_VERIFY);
        headers.remove(SSL_CLIENT_SUBJECT_DN);
        headers.remove(SSL_CLIENT_ISSUER_DN);
    }

    /**
     * The answer to a request of a route with {@code auth}, or {@code null} to go on with the {@code ssl-client-*}
     * fields set on {@code headers}.
     *
     * @param host the request's host with its port as sent, or null
     */
    static RouteGate.@Nullable Reply check(
            ClientCertificateAuth auth, HttpHeaders headers, ClientConnection conn, @Nullable String host) {
        if (auth.verify() == Verify.OFF) {
            headers.set(SSL_CLIENT_VERIFY, "NONE");
            return null;
        }
        ClientCertificates.Result result;
        if (conn.tls) {
            String sni = conn.serverName();
            if (sni != null && !sni.equals(hostName(host))) {
                // nginx: the host's server verifies clients and the handshake was made for another name (RFC 9110
                // §15.5.20): the client must open a connection for this host, whose handshake asks for a certificate.
                return new RouteGate.Reply(
                        HttpResponseStatus.MISDIRECTED_REQUEST,
                        "this host verifies client certificates; connect with its name as TLS server name",
                        null,
                        null);
            }
            result = conn.clientCertificate(auth);
        } else {
            result = ClientCertificates.Result.NONE; // plain HTTP has no certificate to offer
        }
        String refusal = refusal(auth.verify(), result.outcome());
        if (refusal != null) {
            String errorPage = auth.errorPage();
            return errorPage != null
                    ? new RouteGate.Reply(HttpResponseStatus.FOUND, "see " + errorPage, errorPage, null)
                    : new RouteGate.Reply(HttpResponseStatus.BAD_REQUEST, refusal, null, null);
        }
        X509Certificate leaf = result.leaf();
        if (auth.matchCn() != null
                && (leaf == null
                        || !auth.subjectMatches(leaf.getSubjectX500Principal().getName()))) {
            // ingress-nginx: if ($ssl_client_s_dn !~ <auth-tls-match-cn>) { return 403; }
            return new RouteGate.Reply(HttpResponseStatus.FORBIDDEN, "client certificate unauthorized", null, null);
        }
        headers.set(SSL_CLIENT_VERIFY, result.verify());
        if (leaf != null) {
            headers.set(
                    SSL_CLIENT_SUBJECT_DN,
                    printable(leaf.getSubjectX500Principal().getName()));
            headers.set(
                    SSL_CLIENT_ISSUER_DN,
                    printable(leaf.getIssuerX500Principal().getName()));
            if (auth.passCertificate()) {
                String pem = escapedPem(leaf);
                if (pem != null) {
                    headers.set(SSL_CLIENT_CERT, pem);
                }
            }
        }
        return null;
    }

    /** nginx's 496 (no certificate) and 495 (a certificate that failed), by mode; {@code null} when it passes. */
    private static @Nullable String refusal(Verify verify, ClientCertificates.Outcome outcome) {
        return switch (outcome) {
            case SUCCESS -> null;
            case NONE -> verify == Verify.ON ? NO_CERTIFICATE : null;
            case NO_ISSUER -> verify == Verify.OPTIONAL_NO_CA ? null : BAD_CERTIFICATE;
            case FAILED -> BAD_CERTIFICATE;
        };
    }

    /** The host of {@code host} (a {@code Host} value) without port, lower case, without a trailing dot. */
    static @Nullable String hostName(@Nullable String host) {
        if (host == null) {
            return null;
        }
        String name = host;
        if (name.startsWith("[")) {
            int end = name.indexOf(']');
            name = end < 0 ? name : name.substring(0, end + 1);
        } else {
            int colon = name.lastIndexOf(':');
            name = colon < 0 ? name : name.substring(0, colon);
        }
        name = name.toLowerCase(Locale.ROOT);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * A distinguished name as a field value: RFC 2253 as nginx prints it, with control and non-ASCII characters as
     * {@code \XX} escapes of their UTF-8 bytes (OpenSSL's ESC_CTRL and ESC_MSB), so that no certificate can put a
     * line break or an odd byte into a header.
     */
    static String printable(String dn) {
        StringBuilder out = null;
        byte[] bytes = dn.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b < 0x20 || b >= 0x7f) {
                if (out == null) {
                    out = new StringBuilder(bytes.length + 16);
                    out.append(new String(bytes, 0, i, StandardCharsets.US_ASCII));
                }
                out.append('\\')
                        .append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            } else if (out != null) {
                out.append((char) b);
            }
        }
        return out == null ? dn : out.toString();
    }

    /** nginx's {@code $ssl_client_escaped_cert}: the leaf as PEM, percent-encoded but for unreserved characters. */
    static @Nullable String escapedPem(X509Certificate leaf) {
        String pem;
        try {
            pem = "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(leaf.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            return null;
        }
        StringBuilder out = new StringBuilder(pem.length() * 3 / 2);
        for (int i = 0; i < pem.length(); i++) {
            char c = pem.charAt(i);
            if (c < 128 && UNRESERVED[c] == 1) {
                out.append(c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
