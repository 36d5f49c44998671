package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
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
}
