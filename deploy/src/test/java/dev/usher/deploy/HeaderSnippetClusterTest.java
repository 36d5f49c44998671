package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code configuration-snippet} of header directives on a live Ingress in cluster mode (fabric8's mock API server):
 * the edits apply once the annotation is added, and when it is changed to a snippet Usher refuses, the Ingress keeps
 * serving without them and the problem says why.
 */
final class HeaderSnippetClusterTest {

    private static final String SNIPPET = "nginx.ingress.kubernetes.io/configuration-snippet";

    @RegisterExtension
    final AlpacaCluster cluster = new AlpacaCluster();

    final KubernetesClient client = cluster.client();

    @Test
    void aHeaderSnippet_appliesLive_andARefusedOneLeavesTheIngressServing() throws IOException {
        cluster.createAlpaca();
        Controller controller = cluster.start();
        int http = controller.httpPort();
        assertThat(RawHttp.get(http, "alpaca.example.com", "/").head()).doesNotContainIgnoringCase("x-frame-options");

        annotate("more_set_headers \"X-Frame-Options: DENY\";\nproxy_set_header X-Seen-Host $host;\n");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> RawHttp.get(http, "alpaca.example.com", "/").head().contains("x-frame-options: DENY"));
        assertThat(RawHttp.get(http, "alpaca.example.com", "/").body())
                .contains("\"x-seen-host\":[\"alpaca.example.com\"]");

        annotate("more_set_headers \"X-Frame-Options: DENY\";\nrewrite ^ /elsewhere;\n");
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        !RawHttp.get(http, "alpaca.example.com", "/").head().contains("x-frame-options"));
        RawHttp.Response served = RawHttp.get(http, "alpaca.example.com", "/");
        assertThat(served.status()).isEqualTo(200);
        assertThat(served.body()).doesNotContain("x-seen-host").contains("\"uri\":\"/\"");
        assertThat(RawHttp.get(controller.adminPort(), "localhost", "/debug/routes")
                        .body())
                .contains("'rewrite' is not a header directive");
    }

    private void annotate(String snippet) {
        client.network()
                .v1()
                .ingresses()
                .inNamespace("default")
                .withName("host-ingress")
                .edit((Ingress i) -> {
                    java.util.Map<String, String> annotations = new java.util.HashMap<>();
                    if (i.getMetadata().getAnnotations() != null) {
                        annotations.putAll(i.getMetadata().getAnnotations());
                    }
                    annotations.put(SNIPPET, snippet);
                    i.getMetadata().setAnnotations(annotations);
                    return i;
                });
    }
}
