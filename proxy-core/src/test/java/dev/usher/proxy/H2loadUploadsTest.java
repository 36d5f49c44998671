package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * h2load (nghttp2) as the client: 100 buffered uploads at once on one h2c connection, as many as the connection's
 * streams allow. Each body spills to a file after its first 16 KiB, so each stream pauses its reads while its chunk
 * is written; the WINDOW_UPDATEs for what it read must still reach the client when it resumes, or the connection
 * stalls with every stream waiting for DATA that only those updates let the client send (found with h2load; Netty's
 * and nghttp's clients happened not to hit it).
 */
final class H2loadUploadsTest {

    @TempDir
    Path dir;

    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aHundredBufferedUploadsOnOneConnection_areAllAnswered() throws Exception {
        assumeTrue(onPath("h2load"), "h2load (Debian nghttp2-client) is not installed");
        fixture = new ProxyFixture(
                1,
                ProxySettings.builder()
                        .maxRequestBodyBytes(2 * 1024 * 1024)
                        .clientBodyTimeout(Duration.ofSeconds(5)) // a stalled stream fails fast
                        .build());
        byte[] body = new byte[1_000_000];
        new Random(11).nextBytes(body);
        Path file = Files.write(dir.resolve("body.bin"), body);

        Process h2load = new ProcessBuilder(List.of(
                        "h2load",
                        "-c",
                        "1",
                        "-m",
                        "100",
                        "-n",
                        "100",
                        "-d",
                        file.toString(),
                        "-H",
                        ":authority: app.test",
                        "http://127.0.0.1:" + fixture.proxy.httpPort() + "/count"))
                .redirectErrorStream(true)
                .start();
        String out = new String(h2load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(h2load.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(out).as(out).contains("status codes: 100 2xx, 0 3xx, 0 4xx, 0 5xx");
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(100);
    }

    private static boolean onPath(String tool) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, tool))) {
                return true;
            }
        }
        return false;
    }
}
