package dev.usher.tls;

/**
 * The certificate served when no Secret covers the requested host (and to clients that send no SNI), unless the
 * operator names one with {@code --default-ssl-certificate}.
 */
public final class DefaultCertificate {

    /** The subject CN of the generated default certificate; clients see it when they reach an unknown host. */
    public static final String COMMON_NAME = "Usher Ingress Controller Default Certificate";

    private DefaultCertificate() {}

    /**
     * Generates a fresh self-signed EC P-256 certificate with CN {@value #COMMON_NAME}, valid for one year, with
     * id {@code "default"}. Each call makes a new key; call it once at start.
     */
    public static TlsCertificate generate() {
        return CertificateGenerator.named(COMMON_NAME)
                .keyType(CertificateGenerator.KeyType.EC_P256)
                .generate("default");
    }
}
