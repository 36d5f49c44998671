package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ProxySettingsTest {

    @Test
    void defaults_areTheDocumentedOnes() {
        ProxySettings d = ProxySettings.defaults();

        assertThat(d.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.responseTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.tunnelIdleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.poolIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.maxConnectionsPerEndpoint()).isEqualTo(1024);
        assertThat(d.maxIdlePerEndpoint()).isEqualTo(1024);
        assertThat(d.maxInitialLineLength()).isEqualTo(8192);
        assertThat(d.maxHeaderSize()).isEqualTo(16384);
        assertThat(d.maxRequestBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(d.connectAttempts()).isEqualTo(3);
        assertThat(d.loadBalancing()).isEqualTo(ProxySettings.LoadBalancing.ROUND_ROBIN);
        assertThat(d.accessLog()).isEqualTo(ProxySettings.AccessLogFormat.TEXT);
        assertThat(d.clientBodyTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.clientBodyBufferSize()).isEqualTo(16 * 1024);
        assertThat(d.clientBodyTempMaxBytes()).isEqualTo(512L << 20);
        assertThat(d.limitReqStatusCode()).isEqualTo(503);
        assertThat(d.limitConnStatusCode()).isEqualTo(503);
        assertThat(d.clientBodyTempDir()).isEqualTo(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Test
    void requestHygieneSettings_defaultToNginxBehaviour_andRefuseH2cOrMalformedProtocols() {
        assertThat(ProxySettings.defaults().underscoresInHeaders()).isFalse();
        assertThat(ProxySettings.defaults().upgradeProtocols()).containsExactly("websocket");
        assertThatThrownBy(() -> ProxySettings.builder()
                        .upgradeProtocols(java.util.Set.of("websocket", "h2c"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upgradeProtocols");
        assertThatThrownBy(() -> ProxySettings.builder()
                        .upgradeProtocols(java.util.Set.of("Web Socket"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upgradeProtocols");
    }

    @Test
    void toBuilder_roundTrips() {
        ProxySettings s = ProxySettings.builder()
                .maxRequestBodyBytes(10)
                .accessLog(ProxySettings.AccessLogFormat.JSON)
                .build();

        assertThat(s.toBuilder().build()).isEqualTo(s);
    }

    @Test
    void invalidValues_areRefusedWithTheSettingsName() {
        assertThatThrownBy(() ->
                        ProxySettings.builder().connectTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> ProxySettings.builder().maxRequestBodyBytes(-1).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRequestBodyBytes");
        assertThatThrownBy(() ->
                        ProxySettings.builder().maxConnectionsPerEndpoint(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnectionsPerEndpoint");
        assertThatThrownBy(() -> ProxySettings.builder().loadBalancing(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("loadBalancing");
        assertThatThrownBy(() -> ProxySettings.builder().limitReqStatusCode(200).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limitReqStatusCode");
        assertThatThrownBy(
                        () -> ProxySettings.builder().limitConnStatusCode(600).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limitConnStatusCode");
    }

    @Test
    void builder_refusesMissingTableAndBadPorts() {
        assertThatThrownBy(() -> ProxyServer.builder().build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("routingTable");
        assertThatThrownBy(() -> ProxyServer.builder().httpPort(70000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProxyServer.builder().eventLoops(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
