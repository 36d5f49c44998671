package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

final class HeaderRulesTest {

    @Test
    void removeHopByHop_dropsFixedListAndEveryFieldNamedInConnection() {
        removeHopByHop_dropsFixedListAndEveryFieldNamedInConnection(new DefaultHttpHeaders());
        removeHopByHop_dropsFixedListAndEveryFieldNamedInConnection(
                KnownFieldNames.headers().newHeaders());
    }

    @Test
    void removeHopByHop_withThousandsOfTokensAndFields_removesExactlyTheNamedOnes() {
        HttpHeaders h = KnownFieldNames.headers().newHeaders();
        StringBuilder tokens = new StringBuilder("keep-alive");
        for (int i = 0; i < 2_000; i++) {
            h.add("X-" + i, "v");
            if (i % 2 == 0) {
                tokens.append(", x-").append(i);
            }
        }
        h.add("Connection", tokens.toString());

        HeaderRules.removeHopByHop(h);

        assertThat(h.size()).isEqualTo(1_000);
        assertThat(h.contains("X-1")).isTrue();
        assertThat(h.contains("X-2")).isFalse();
    }

    private static void removeHopByHop_dropsFixedListAndEveryFieldNamedInConnection(HttpHeaders empty) {
        HttpHeaders h = empty.add("Connection", "keep-alive, X-A")
                .add("Connection", "x-b ,,")
                .add("X-A", "1")
                .add("X-B", "2")
                .add("X-C", "3")
                .add("Keep-Alive", "timeout=5")
                .add("Proxy-Connection", "keep-alive")
                .add("TE", "trailers")
                .add("Transfer-Encoding", "chunked")
                .add("Upgrade", "websocket")
                .add("Trailer", "X-T")
                .add("Proxy-Authorization", "Basic x")
                .add("Proxy-Authenticate", "Basic");

        HeaderRules.removeHopByHop(h);

        assertThat(h.names()).containsExactly("X-C");
    }

    @Test
    void removeHopByHop_neverRemovesFramingOrHost_evenWhenConnectionNamesThem() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "Content-Length, HOST, transfer-encoding, X-A")
                .add("Content-Length", "5")
                .add("Host", "app.test")
                .add("X-A", "1");

        assertThat(String.valueOf(HeaderRules.namesProtected(h, HeaderRules.REQUEST_PROTECTED)))
                .isEqualTo("content-length");
        HeaderRules.removeHopByHop(h);

        assertThat(h.names()).containsExactlyInAnyOrder("Content-Length", "Host");
    }

    @Test
    void namesProtected_isNullForOrdinaryTokens_andFindsHostOnlyForRequests() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, upgrade")
                .add("Connection", "x-a ,Host ");

        assertThat(String.valueOf(HeaderRules.namesProtected(h, HeaderRules.REQUEST_PROTECTED)))
                .isEqualTo("host");
        assertThat((Object) HeaderRules.namesProtected(h, HeaderRules.RESPONSE_PROTECTED))
                .isNull();
    }

    @Test
    void removeUnderscored_dropsOnlyNamesWithAnUnderscore() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("X_Forwarded_For", "6.6.6.6")
                .add("X-Forwarded-For", "1.1.1.1")
                .add("my_header", "1")
                .add("my_header", "2")
                .add("Host", "a");

        HeaderRules.removeUnderscored(h);

        assertThat(h.names()).containsExactlyInAnyOrder("X-Forwarded-For", "Host");
    }
}
