package dev.usher.deploy;

import dev.usher.k8s.translate.KubeObjects;
import dev.usher.routing.ObjectRef;
import dev.usher.tls.CertificateProblem;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Loads the {@code --default-ssl-certificate NAMESPACE/NAME} Secret once, at start-up, from the API server or the
 * manifests folder. A missing or unusable Secret is a clear message, never a failed start: the caller falls back to
 * the generated certificate.
 */
final class DefaultSslCertificate {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private DefaultSslCertificate() {}

    /** The certificate of Secret {@code id} from the cluster. */
    static TlsCertificate fromCluster(String id, KubernetesClient client) throws CertificateProblem {
        ObjectRef ref = ObjectRef.parse(id);
        Secret secret = client.secrets()
                .inNamespace(ref.namespace())
                .withName(ref.name())
                .get();
        if (secret == null) {
            throw new CertificateProblem("Secret " + id + " does not exist");
        }
        return fromSecret(id, secret);
    }

    /** The certificate of Secret {@code id} from the first manifest in {@code dir} that defines it. */
    static TlsCertificate fromFolder(String id, Path dir) throws CertificateProblem, IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file :
                    files.filter(DefaultSslCertificate::isManifest).sorted().toList()) {
                Optional<Secret> secret = secretIn(file, id);
                if (secret.isPresent()) {
                    return fromSecret(id, secret.get());
                }
            }
        }
        throw new CertificateProblem("no manifest under " + dir + " defines Secret " + id);
    }

    static TlsCertificate fromSecret(String id, Secret secret) throws CertificateProblem {
        byte[] certificate = value(secret, "tls.crt");
        byte[] key = value(secret, "tls.key");
        if (certificate == null || key == null) {
            throw new CertificateProblem("Secret " + id + " lacks tls.crt or tls.key");
        }
        return PemCertificates.parse(id, certificate, key);
    }

    private static byte[] value(Secret secret, String name) throws CertificateProblem {
        Map<String, String> strings = secret.getStringData();
        if (strings != null && strings.get(name) != null) {
            return strings.get(name).getBytes(StandardCharsets.UTF_8);
        }
        Map<String, String> data = secret.getData();
        if (data == null || data.get(name) == null) {
            return null;
        }
        try {
            return Base64.getMimeDecoder().decode(data.get(name));
        } catch (IllegalArgumentException e) {
            throw new CertificateProblem(name + " is not base64: " + e.getMessage());
        }
    }

    private static boolean isManifest(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file)
                && !name.startsWith(".")
                && (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"));
    }

    /** Files that do not parse are skipped here: the manifests source reports them. */
    private static Optional<Secret> secretIn(Path file, String id) {
        Object parsed;
        try (InputStream in = Files.newInputStream(file)) {
            parsed = SERIALIZATION.unmarshal(in);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        List<Object> documents = new ArrayList<>();
        flatten(parsed, documents);
        for (Object document : documents) {
            if (document instanceof Secret secret && secret.getMetadata() != null) {
                if (id.equals(KubeObjects.key(secret))) {
                    return Optional.of(secret);
                }
            }
        }
        return Optional.empty();
    }

    private static void flatten(Object parsed, List<Object> out) {
        if (parsed instanceof List<?> list) {
            list.forEach(item -> flatten(item, out));
        } else if (parsed instanceof KubernetesResourceList<?> list) {
            list.getItems().forEach(item -> flatten(item, out));
        } else if (parsed != null) {
            out.add(parsed);
        }
    }
}
