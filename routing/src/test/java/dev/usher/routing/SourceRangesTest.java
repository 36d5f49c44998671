package dev.usher.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ingress-nginx's {@code denylist-source-range} then {@code allowlist-source-range}, as nginx's {@code deny}/{@code
 * allow} rules: one row per client address against allow {@code 10.0.0.0/8, 2001:db8::/32} and deny
 * {@code 10.9.0.0/16}.
 */
final class SourceRangesTest {

    private static final SourceRanges RANGES = new SourceRanges(
            List.of(AddressBlock.parse("10.0.0.0/8"), AddressBlock.parse("2001:db8::/32")),
            List.of(AddressBlock.parse("10.9.0.0/16")));

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "10.1.2.3, true",
        "10.9.1.1, false", // denied before the allow list is read
        "192.0.2.1, false", // not allowed
        "::ffff:10.1.2.3, true", // IPv4-mapped IPv6 (dual-stack listener) is its IPv4 address
        "::ffff:10.9.1.1, false",
        "2001:db8::1, true",
        "2001:db9::1, false",
    })
    void admits_denyFirst_thenOnlyTheAllowList(String client, boolean admitted) throws Exception {
        assertThat(RANGES.admits(InetAddress.getByName(client))).isEqualTo(admitted);
    }

    @ParameterizedTest(name = "deny only: {0} -> {1}")
    @CsvSource({"10.9.1.1, false", "192.0.2.1, true"})
    void denyListAlone_admitsEveryoneElse(String client, boolean admitted) throws Exception {
        SourceRanges denyOnly = new SourceRanges(List.of(), List.of(AddressBlock.parse("10.9.0.0/16")));

        assertThat(denyOnly.admits(InetAddress.getByName(client))).isEqualTo(admitted);
        assertThat(SourceRanges.ANY.restricts()).isFalse();
        assertThat(denyOnly.restricts()).isTrue();
    }
}
