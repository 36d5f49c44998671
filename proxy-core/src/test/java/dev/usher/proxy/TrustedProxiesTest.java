package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.NetUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class TrustedProxiesTest {

    private static final TrustedProxies RANGES =
            TrustedProxies.parse("10.0.0.0/8, 192.0.2.7, 172.16.0.0/12,2001:db8::/32,::1, fd00:1:2:3:4::/80");

    @ParameterizedTest(name = "{0} trusted: {1}")
    @CsvSource({
        "10.0.0.0,true",
        "10.255.255.255,true",
        "11.0.0.0,false",
        "9.255.255.255,false",
        "192.0.2.7,true",
        "192.0.2.8,false",
        "172.31.255.255,true",
        "172.32.0.0,false",
        "2001:db8::1,true",
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff,true",
        "2001:db9::,false",
        "::1,true",
        "::2,false",
        "fd00:1:2:3:4:0:ffff:1,true",
        "fd00:1:2:3:5::,false",
        "::ffff:10.1.2.3,true",
        "::ffff:11.1.2.3,false",
        "::a01:203,false"
    })
    void contains_matchesByPrefix_andMappedIpv4AsIpv4(String address, boolean trusted) {
        assertThat(RANGES.contains(NetUtil.createByteArrayFromIpAddressString(address)))
                .isEqualTo(trusted);
    }

    @Test
    void parse_normalisesToNetworkAndPrefix_ignoringHostBits() {
        assertThat(TrustedProxies.parse(" 10.1.2.3/8 ,, 2001:DB8::1/32 , 192.0.2.7")
                        .cidrs())
                .containsExactly("10.0.0.0/8", "2001:db8::/32", "192.0.2.7/32");
        assertThat(TrustedProxies.parse("0.0.0.0/0").contains(NetUtil.createByteArrayFromIpAddressString("8.8.8.8")))
                .isTrue();
        assertThat(TrustedProxies.parse("::/0").contains(NetUtil.createByteArrayFromIpAddressString("2001::1")))
                .isTrue();
    }

    @Test
    void none_andEmptyText_trustNobody_andEqualEachOther() {
        assertThat(TrustedProxies.parse(" ")).isEqualTo(TrustedProxies.none());
        assertThat(TrustedProxies.none().isEmpty()).isTrue();
        assertThat(TrustedProxies.none().contains(NetUtil.LOCALHOST4)).isFalse();
        assertThat(TrustedProxies.none()).hasToString("none");
        assertThat(TrustedProxies.parse("10.0.0.0/8"))
                .isEqualTo(TrustedProxies.parse("10.9.9.9/8"))
                .hasToString("10.0.0.0/8");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "10.0.0.0/33",
                "::/129",
                "10.0.0.0/",
                "10.0.0.0/-1",
                "10.0.0.0/8/8",
                "10.0.0.0/x",
                "localhost",
                "lb.example.com/32",
                "10.0.0",
                "[::1]",
                "fe80::1%eth0",
                "10.0.0.0/0008"
            })
    void parse_badEntry_failsNamingIt(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse("192.0.2.1," + entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + entry + "'");
    }

    @Test
    void settings_defaultToTrustingNobodyWithoutProxyProtocol_andRoundTripThroughTheBuilder() {
        ProxySettings set = ProxySettings.builder()
                .trustedProxies(TrustedProxies.parse("10.0.0.0/8"))
                .proxyProtocol(true)
                .build();

        assertThat(ProxySettings.defaults().trustedProxies()).isEqualTo(TrustedProxies.none());
        assertThat(ProxySettings.defaults().proxyProtocol()).isFalse();
        assertThat(set.toBuilder().build()).isEqualTo(set);
        assertThatThrownBy(() -> ProxySettings.builder().trustedProxies(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("trustedProxies");
    }
}
