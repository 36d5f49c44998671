package dev.usher.proxy;

import org.junit.jupiter.api.Test;

final class DebugH2Test {
    @Test
    void curl() throws Exception {
        try (ProxyFixture f = new ProxyFixture(1, ProxySettings.defaults())) {
            Process p = new ProcessBuilder("curl", "-sv", "-m", "5", "--http2-prior-knowledge", "-H", "Host: app.test",
                    "http://127.0.0.1:" + f.proxy.httpPort() + "/echo").redirectErrorStream(true).start();
            System.out.println(new String(p.getInputStream().readAllBytes()));
        }
    }
}
