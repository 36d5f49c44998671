package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

final class HeaderRulesTest {

    @Test
    void removeHopByHop_dropsFixedListAndEveryFieldNamedInConnection() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-A")
                .add("Connection", "x-b ,,")
                .add("X-A", "1").add("X-B", "2").add("X-C", "3")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive").add("TE", "trailers")
                .add("Transfer-Encoding", "chunked").add("Upgrade", "websocket").add("Trailer", "X-T")
                .add("Proxy-Authorization", "Basic x").add("Proxy-Authenticate", "Basic");

        HeaderRules.removeHopByHop(h);

        assertThat(h.names()).containsExactly("X-C");
    }
}
