package dev.usher.deploy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.AddressBlock;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        DebugAccess access =
                DebugAccess.loopbackAnd(List.of(AddressBlock.parse("192.0.2.0/24"), AddressBlock.parse("fd00::/8")));

        assertThat(access.allows(address(client))).isEqualTo(allowed);
        assertThat(access).hasToString("loopback, 192.0.2.0/24, fd00::/8");
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
