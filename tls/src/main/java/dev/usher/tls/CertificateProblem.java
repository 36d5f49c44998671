package dev.usher.tls;

/**
 * A certificate or key that cannot be served; the message says why in words fit for a log line or an Event.
 *
 * <p>Checked on purpose: a bad Secret is an expected input, and its hosts fall back to the default certificate.
 */
public final class CertificateProblem extends Exception {

    private static final long serialVersionUID = 1L;

    /** Creates a problem with a message that names the field ({@code tls.crt}, {@code tls.key}) at fault. */
    public CertificateProblem(String message) {
        super(message);
    }

    /** Creates a problem whose message already explains {@code cause}; the cause is kept for debugging. */
    public CertificateProblem(String message, Throwable cause) {
        super(message, cause);
    }
}
