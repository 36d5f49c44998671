package dev.usher.proxy;

import org.junit.jupiter.api.AfterEach;

/** Tests that drive a {@link RawH2} connection against a {@link ProxyFixture} with one origin. */
abstract class RawH2Test {

    ProxyFixture fixture;

    @AfterEach
    void closeFixture() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /** Starts the proxy with {@code settings} and opens an h2c connection (preface and SETTINGS sent). */
    RawH2 connect(ProxySettings settings) throws Exception {
        fixture = new ProxyFixture(1, settings);
        return RawH2.connect(fixture.proxy.httpPort());
    }
}
