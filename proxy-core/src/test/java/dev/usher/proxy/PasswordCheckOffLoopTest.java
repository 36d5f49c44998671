package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.BasicAuth;
import dev.usher.routing.RouteOptions;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Basic authentication's bcrypt check never runs on an event loop: a client guessing passwords at cost 12 (a quarter
 * of a second each) would otherwise stall every connection of its loop. The proxy has one event loop and its password
 * checks go to an executor the test holds, so what waits for a check and what does not is observed, not timed.
 */
final class PasswordCheckOffLoopTest {

    private final LinkedBlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
    private volatile boolean full;
    private OptionsFixture fixture;

    @BeforeEach
    void start() {
        BasicAuth auth = new BasicAuth(
                "Staff",
                Map.of(
                        "dave",
                        OpenBSDBCrypt.generate("2y", "s3cret".toCharArray(), salt(), 4),
                        "carol",
                        "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=")); // htpasswd -s: "password"
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                Map.of(
                        "private.test",
                        RouteOptions.builder().basicAuth(auth).build(),
                        "open.test",
                        RouteOptions.builder().build()),
                System::nanoTime,
                builder -> builder.eventLoops(1).passwordChecks(task -> {
                    if (full) {
                        throw new RejectedExecutionException("full");
                    }
                    held.add(task);
                }));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void aBcryptCheck_waitsOffTheLoop_whileOtherRequestsOnTheSameLoopAreServed() throws Exception {
        CompletableFuture<HttpResponse<String>> guarded = getAsync("private.test", basic("dave", "s3cret"));
        await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == 1);

        assertThat(fixture.get("open.test", "/echo").statusCode()).isEqualTo(200); // the one loop is free
        assertThat(guarded).isNotDone();

        held.take().run(); // the check runs; its verdict goes back to the loop
        assertThat(guarded.get().statusCode()).isEqualTo(200);
        assertThat(fixture.origin.seen).noneMatch(r -> r.headers().contains("Authorization"));

        // a success is cached: the same credentials pass at once, without a thread
        assertThat(fixture.get("private.test", "/echo", "Authorization", basic("dave", "s3cret"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(held).isEmpty();
    }

    @Test
    void aWrongBcryptPassword_is401_afterItsCheck_andIsNeverCached() throws Exception {
        for (int i = 0; i < 2; i++) {
            CompletableFuture<HttpResponse<String>> guessed = getAsync("private.test", basic("dave", "guess"));
            await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == 1);
            assertThat(guessed).isNotDone();
            held.take().run();
            HttpResponse<String> res = guessed.get();
            assertThat(res.statusCode()).isEqualTo(401);
            assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Staff\"");
        }
    }

    @Test
    void cheapHashesAndMalformedCredentials_areDecidedOnTheLoop_withoutAThread() throws Exception {
        assertThat(fixture.get("private.test", "/echo", "Authorization", basic("carol", "password"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(fixture.get("private.test", "/echo", "Authorization", basic("mallory", "s3cret"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(fixture.get("private.test", "/echo", "Authorization", "Basic !!!")
                        .statusCode())
                .isEqualTo(401);
        assertThat(held).isEmpty();
    }

    @Test
    void tooManyChecksWaiting_is503_atOnce() throws Exception {
        full = true;

        HttpResponse<String> res = fixture.get("private.test", "/echo", "Authorization", basic("dave", "s3cret"));

        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).contains("too many password checks");
        assertThat(held).isEmpty();
    }

    @Test
    void oneClient_mayHaveEightChecksWaiting_theNinthIs503_untilTheyEnd() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> guesses = new ArrayList<>();
        for (int i = 0; i < PasswordChecks.PER_CLIENT; i++) {
            guesses.add(getAsync("private.test", basic("dave", "guess" + i)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == PasswordChecks.PER_CLIENT);

        HttpResponse<String> ninth = fixture.get("private.test", "/echo", "Authorization", basic("dave", "s3cret"));

        assertThat(ninth.statusCode()).isEqualTo(503);
        assertThat(ninth.body()).contains("too many password checks under way for this client");
        assertThat(held).hasSize(PasswordChecks.PER_CLIENT); // refused before it queued
        for (Runnable check; (check = held.poll()) != null; ) {
            check.run();
        }
        for (CompletableFuture<HttpResponse<String>> guess : guesses) {
            assertThat(guess.get().statusCode()).isEqualTo(401);
        }
        CompletableFuture<HttpResponse<String>> again = getAsync("private.test", basic("dave", "s3cret"));
        await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == 1); // the client's turns are back
        held.take().run();
        assertThat(again.get().statusCode()).isEqualTo(200);
        // counted before each answer was written: a guessing flood shows as failed and refused checks
        assertThat(checks("failed")).isEqualTo(PasswordChecks.PER_CLIENT);
        assertThat(checks("refused")).isEqualTo(1);
        assertThat(checks("passed")).isEqualTo(1);
    }

    private double checks(String result) {
        return fixture.registry
                .get("usher.password.checks")
                .tag("result", result)
                .counter()
                .count();
    }

    @Test
    void aClientGoneDuringItsCheck_leavesNothingBehind_andTheLoopGoesOn() throws Exception {
        double before = connections();
        try (Socket socket = new Socket("127.0.0.1", fixture.proxy.httpPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /echo HTTP/1.1\r\nHost: private.test\r\nAuthorization: " + basic("dave", "s3cret")
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> held.size() == 1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> connections() == before);

        held.take().run(); // skipped (the check was cancelled); its verdict finds no request waiting

        assertThat(fixture.origin.seen).isEmpty();
        assertThat(fixture.get("open.test", "/echo").statusCode()).isEqualTo(200);
    }

    /** A new salt for each test: a success is cached for the process by hash and credentials, so a hash is new. */
    private static byte[] salt() {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return salt;
    }

    private double connections() {
        return fixture.registry.get("usher.connections.active").gauge().value();
    }

    private CompletableFuture<HttpResponse<String>> getAsync(String host, String authorization) {
        return fixture.client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fixture.proxy.httpPort() + "/echo"))
                        .header("Host", host)
                        .header("Authorization", authorization)
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
