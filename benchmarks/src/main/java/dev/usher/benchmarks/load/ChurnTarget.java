package dev.usher.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the churn's edits go: the manifests folder Usher follows (each file written next to its name and renamed
 * into place), or the API server Usher watches in cluster mode ({@link ClusterApi}).
 */
interface ChurnTarget {

    /** Puts the Ingress {@code name} ({@code yaml}, one document), replacing the one of that name. */
    void ingress(String name, String yaml) throws IOException;

    /** Makes {@code ports} on 127.0.0.1 the ready endpoints of Service {@code service}. */
    void endpoints(String service, List<Integer> ports) throws IOException;

    /** The manifests folder: {@code <name>.yaml} and {@code endpoints-<service>.yaml}, as {@link BenchManifests} writes. */
    static ChurnTarget folder(Path manifests) {
        return new ChurnTarget() {
            @Override
            public void ingress(String name, String yaml) throws IOException {
                BenchManifests.writeAtomically(manifests, name + ".yaml", yaml);
            }

            @Override
            public void endpoints(String service, List<Integer> ports) throws IOException {
                BenchManifests.writeAtomically(
                        manifests, "endpoints-" + service + ".yaml", BenchManifests.endpoints(service, ports));
            }
        };
    }
}
