package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code usher warmup}, the image's class-data sharing training run, in-process on free loopback ports. */
final class WarmupCommandTest {

    @Test
    void warmup_sendsEveryRequestThroughTheDemo_andExitsZero() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));

        int code = commandLine.execute("warmup", "--rounds", "2");

        // 2 rounds x 4 targets x (GET, POST) x (HTTP, HTTPS), then 4 admin endpoints: every one answered
        assertThat(out.toString()).contains("warmup: 36 requests, 0 failed");
        assertThat(code).isZero();
    }

    @Test
    void http1Only_theWarmUpOfRun_sendsOnlyTheRawHttp11Requests_andEachIsAnswered() throws Exception {
        // what `usher run --warmup-rounds 2` sends before it serves: 2 rounds x 4 targets x (GET, POST)
        assertThat(WarmupCommand.warm(2, true)).isEqualTo(new WarmupCommand.Tally(16, 0));
    }

    @Test
    void http1Only_logsNoAccessLine_whileTheTrainingRunLogsEveryRequest() throws Exception {
        // slf4j-simple looks System.err up on every write; the demo's close drains its access log before warm returns
        assertThat(stderrDuring(() -> WarmupCommand.warm(1, false)))
                .as("the training run keeps the access log, so its classes are in the archive")
                .contains("host=alpaca.example.com", "host=unknown.test");
        assertThat(stderrDuring(() -> WarmupCommand.warm(2, true)))
                .as("`usher run`'s log starts with its real traffic")
                .doesNotContain("host=alpaca.example.com", "host=bandicoot.example.com", "host=unknown.test");
    }

    private static String stderrDuring(Callable<?> action) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        System.setErr(new PrintStream(copy, true, StandardCharsets.UTF_8));
        try {
            action.call();
        } finally {
            System.setErr(original);
        }
        return copy.toString(StandardCharsets.UTF_8);
    }
}
