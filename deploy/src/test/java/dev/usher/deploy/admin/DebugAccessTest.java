package dev.usher.deploy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.routing.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class DebugAccessTest {

    private static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, true",
        "127.0.0.2, true",
        "::1, true",
        "::ffff:127.0.0.1, true",
        "192.0.2.2, false",
        "10.1.2.3, false",
        "::ffff:10.1.2.3, false",
        "fd00::1, false",
    })
    void loopbackOnly_theDefault_allowsLoopbackClientsOnly(String client, boolean allowed) throws Exception {
        assertThat(DebugAccess.loopbackOnly().allows(address(client))).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, true",
        "192.0.2.2, true",
        "192.0.2.255, true",
        "198.51.100.7, false",
        "::ffff:192.0.2.9, true",
        "fd00::abcd, true",
        "fe80::1, false",
    })
    void debugFrom_addsItsBlocksToLoopback(String client, boolean allowed) throws Exception {
        DebugAccess access = DebugAccess.loopbackAnd(List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("fd00::/8")));

        assertThat(access.allows(address(client))).isEqualTo(allowed);
        assertThat(access).hasToString("loopback, 192.0.2.0/24, fd00:0:0:0:0:0:0:0/8");
    }

    @ParameterizedTest
    @CsvSource({
        "10.1.2.3/8, 10.0.0.0/8",
        "192.0.2.7, 192.0.2.7/32",
        "0.0.0.0/0, 0.0.0.0/0",
        "::1, 0:0:0:0:0:0:0:1/128",
    })
    void cidr_parse_clearsHostBitsAndDefaultsToOneAddress(String text, String expected) {
        assertThat(Cidr.parse(text)).hasToString(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.com", "10.0.0.0/33", "10.0.0.0/x", "10.0.0/8", "::1/129", "", "/8"})
    void cidr_parse_refusesHostNamesAndBadPrefixes(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0/0, 203.0.113.9, true",
        "0.0.0.0/0, 2001:db8::1, false",
        "10.0.0.0/8, 11.0.0.1, false",
    })
    void cidr_contains_comparesOnlyTheSameFamily(String block, String client, boolean inside) throws Exception {
        assertThat(Cidr.parse(block).contains(address(client))).isEqualTo(inside);
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:9090, true",
        "127.0.0.1, true",
        "localhost:9090, true",
        "LOCALHOST, true",
        "[::1]:9090, true",
        "[::1], true",
        "10.1.2.3:9090, true",
        "evil.example.com, false",
        "evil.example.com:9090, false",
        "127.0.0.1.nip.io:9090, false",
        "localhost.evil.example:9090, false",
        "127.0.0.1:junk, false",
        "[::1]junk, false",
        "'', false",
    })
    void safeHost_acceptsAddressesAndLocalhostOnly_againstDnsRebinding(String host, boolean safe) {
        assertThat(DebugAccess.safeHost(host)).isEqualTo(safe);
    }
}
