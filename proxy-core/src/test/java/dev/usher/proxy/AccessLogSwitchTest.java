package dev.usher.proxy;

import static dev.usher.proxy.OptionsFixture.ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.RouteOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code enable-access-log: "false"}: the Ingress's requests leave no access-log line, another
 * Ingress's on the same proxy still do. The access log goes to slf4j-simple's standard error, captured here.
 */
final class AccessLogSwitchTest {

    @Test
    void anIngressWithTheAccessLogOff_leavesNoLine_othersStillDo() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        // one event loop: the quiet request is finished before the loud one is read
        try (OptionsFixture fixture = new OptionsFixture(
                ProxySettings.defaults(),
                List.of(
                        ingress(
                                "quiet",
                                "quiet.test",
                                RouteOptions.builder().accessLog(false).build()),
                        ingress("loud", "loud.test", RouteOptions.DEFAULT)))) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                assertThat(fixture.get("quiet.test", "/echo").statusCode()).isEqualTo(200);
                assertThat(fixture.get("loud.test", "/echo").statusCode()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(20))
                        .until(() -> captured.toString(StandardCharsets.UTF_8).contains("host=loud.test"));
                assertThat(captured.toString(StandardCharsets.UTF_8)).doesNotContain("quiet.test");
                assertThat(fixture.origin.requests.get()).isEqualTo(2);
            } finally {
                System.setErr(original);
            }
        }
    }
}
