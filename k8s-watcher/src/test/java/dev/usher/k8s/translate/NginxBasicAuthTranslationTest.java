package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's Basic auth in the translator: the htpasswd Secret in both forms, the hash forms Usher verifies and
 * the ones it reports, and every way the protection cannot be set up failing closed (503) with a problem.
 */
final class NginxBasicAuthTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String BCRYPT = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    private static final String APR1 = "$apr1$abcdefgh$T64oOxnD8c28.dQa.2Lty1";
    private static final String SHA = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";

    @Test
    void authFile_ofBcryptApr1AndSha_users_areTaken_desAndSha512AreReportedWithoutTheirHash() {
        Translation t = translate(
                N + "auth-type: basic, " + N + "auth-secret: basic-auth, " + N + "auth-realm: 'Staff only'",
                secret(
                        "basic-auth",
                        "stringData: {auth: \"# team\\nalice:" + BCRYPT + "\\nbob:" + APR1 + "\\ncarol:" + SHA
                                + "\\n\\ndave:abJnggxhB/yWI\\neve:$6$salt$abc\\n\"}"));

        RouteOptions options = t.ruleSets().get(0).options();
        assertThat(options.denied()).isNull();
        assertThat(options.basicAuth().realm()).isEqualTo("Staff only");
        assertThat(options.basicAuth().users())
                .containsOnlyKeys("alice", "bob", "carol")
                .containsEntry("alice", BCRYPT)
                .containsEntry("bob", APR1)
                .containsEntry("carol", SHA);
        assertThat(own(t))
                .hasSize(2)
                .anyMatch(m -> m.contains("'dave' has a crypt(3) DES hash"))
                .anyMatch(m -> m.contains("'eve' has a SHA-crypt hash"))
                .noneMatch(m -> m.contains("abJnggxhB") || m.contains("$6$salt"));
    }

    @Test
    void bcryptHashesCostlierThan12_areReportedAndNotTaken_asEachCheckWouldHoldAnEventLoop() {
        // Each check of a cost-31 hash runs 2^31 rounds (about 36 hours here) on the event loop of the request: one
        // request with any password for this Ingress's host would stall every connection on that loop.
        String cost31 = BCRYPT.replace("$05$", "$31$");
        String cost13 = BCRYPT.replace("$05$", "$13$");
        String cost12 = BCRYPT.replace("$05$", "$12$");
        Translation t = translate(
                N + "auth-type: basic, " + N + "auth-secret: basic-auth",
                secret(
                        "basic-auth",
                        "stringData: {auth: \"mallory:" + cost31 + "\\nmel:" + cost13 + "\\nalice:" + cost12 + "\"}"));

        assertThat(t.ruleSets().get(0).options().basicAuth().users()).containsOnlyKeys("alice");
        assertThat(own(t))
                .hasSize(2)
                .anyMatch(m -> m.contains("'mallory'") && m.contains("cost 31"))
                .anyMatch(m -> m.contains("'mel'") && m.contains("cost 13"))
                .noneMatch(m -> m.contains("CCCCCCCC"));
    }

    @Test
    void authMap_takesOneKeyPerUser() {
        Translation t = translate(
                N + "auth-type: basic, " + N + "auth-secret: default/users, " + N + "auth-secret-type: auth-map",
                secret("users", "stringData: {alice: '" + SHA + "'}"));

        assertThat(t.ruleSets().get(0).options().basicAuth().users()).containsOnlyKeys("alice");
        assertThat(t.ruleSets().get(0).options().basicAuth().realm()).isEmpty();
        assertThat(own(t)).isEmpty();
    }

    @Test
    void protectionThatCannotBeSetUp_failsClosed_withAProblem() {
        String[][] cases = {
            {N + "auth-type: basic, " + N + "auth-secret: missing", "Secret default/missing not found"},
            {N + "auth-type: basic", "needs auth-secret"},
            {N + "auth-type: basic, " + N + "auth-secret: other/basic-auth", "outside the Ingress's namespace"},
            {N + "auth-type: digest, " + N + "auth-secret: basic-auth", "not supported"},
            {
                N + "auth-type: basic, " + N + "auth-secret: basic-auth, " + N + "auth-secret-type: ldap",
                "not auth-file or auth-map"
            },
            {N + "auth-type: basic, " + N + "auth-secret: no-key", "has no key \"auth\""},
        };
        for (String[] c : cases) {
            Translation t = translate(
                    c[0],
                    secret("basic-auth", "stringData: {auth: 'a:" + SHA + "'}"),
                    secret("no-key", "stringData: {users: 'a:" + SHA + "'}"));
            RouteOptions options = t.ruleSets().get(0).options();
            assertThat(options.denied()).as(c[0]).contains(c[1]);
            assertThat(options.basicAuth()).as(c[0]).isNull();
            assertThat(own(t)).as(c[0]).anyMatch(m -> m.contains(c[1]) && m.contains("fails closed"));
        }
    }

    @Test
    void authSecretWithoutAuthType_setsNothingUp() {
        Translation t = translate(N + "auth-secret: basic-auth", secret("basic-auth", "stringData: {auth: x}"));

        assertThat(t.ruleSets().get(0).options().basicAuth()).isNull();
        assertThat(t.ruleSets().get(0).options().denied()).isNull();
    }

    @Test
    void audit_classifiesTheAuthKeys() {
        assertThat(Annotations.classify(N + "auth-type", "basic").status()).isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-type", "digest").status()).isEqualTo(Annotations.Status.INVALID);
        assertThat(Annotations.classify(N + "auth-realm", "Staff \"only\"").status())
                .isEqualTo(Annotations.Status.INVALID);
        assertThat(Annotations.classify(N + "auth-secret-type", "auth-map").status())
                .isEqualTo(Annotations.Status.HONOURED);
    }

    private static Translation translate(String annotations, String... secrets) {
        List<String> docs = new ArrayList<>(List.of(
                OUR_CLASS,
                ingress("a", "a.example.com", "alpaca", 8080)
                        .replace("namespace: default}", "namespace: default, annotations: {" + annotations + "}}")));
        docs.addAll(List.of(secrets));
        return Translator.translate(Yaml.kube(docs.toArray(String[]::new)), WatcherSettings.defaults());
    }

    private static String secret(String name, String data) {
        return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: default}\ntype: Opaque\n" + data
                + "\n";
    }

    private static List<String> own(Translation t) {
        return t.problems().stream()
                .map(Problem::message)
                .filter(m -> !m.contains("Service default/alpaca not found"))
                .toList();
    }
}
