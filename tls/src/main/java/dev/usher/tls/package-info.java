/**
 * TLS termination material: parsing and checking {@code kubernetes.io/tls} Secrets, the generated default
 * certificate, and the SNI certificate map the HTTPS listener hands to Netty's {@code SniHandler}.
 *
 * <p>{@link dev.usher.tls.PemCertificates} turns PEM bytes into a checked {@link dev.usher.tls.TlsCertificate} or a
 * {@link dev.usher.tls.CertificateProblem} with a message fit for a log line or an Event.
 * {@link dev.usher.tls.CertificateStore} maps a host name to an {@code SslContext} (exact host, then one-label
 * wildcard, then the default); it is published with one volatile write and builds contexts lazily, off the event
 * loop. {@link dev.usher.tls.CertificateGenerator} issues certificates for the default certificate, demos and tests.
 */
package dev.usher.tls;
