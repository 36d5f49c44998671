package dev.usher.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

final class AddressBlockTest {

    private static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @ParameterizedTest
    @CsvSource({
        "10.1.2.3/8, 10.0.0.0/8",
        "' 192.0.2.7 ', 192.0.2.7/32",
        "0.0.0.0/0, 0.0.0.0/0",
        "::1, ::1/128",
        "::/0, ::/0",
        "2001:DB8::1/32, 2001:db8::/32",
        "2001:db8:0:0:1::1/64, 2001:db8::/64",
        "2001:db8:0:1:0:0:1:1, 2001:db8:0:1::1:1/128",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1/128",
        "fd00::abcd/8, fd00::/8",
        "::ffff:10.1.2.3/104, 10.0.0.0/8",
        "::ffff:10.1.2.3, 10.1.2.3/32",
    })
    void parse_clearsHostBits_defaultsToOneAddress_andPrintsTheCanonicalForm(String text, String expected) {
        assertThat(AddressBlock.parse(text)).hasToString(expected).isEqualTo(AddressBlock.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "localhost",
                "example.com",
                "lb.example.com/32",
                "10.0.0.0/33",
                "10.0.0.0/x",
                "10.0.0/8",
                "10.0.0.256",
                "010.0.0.1",
                "::1/129",
                "",
                "/8",
                "10.0.0.0/",
                "10.0.0.0/-1",
                "10.0.0.0/8/8",
                "10.0.0.0/0008",
                "[::1]",
                "fe80::1%eth0",
                ":::",
                "1::2::3"
            })
    void parse_refusesHostNamesAmbiguousOctetsAndBadPrefixes_namingTheText(String text) {
        assertThatThrownBy(() -> AddressBlock.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0/0, 203.0.113.9, true",
        "0.0.0.0/0, 2001:db8::1, false",
        "::/0, 203.0.113.9, false",
        "10.0.0.0/8, 10.255.0.1, true",
        "10.0.0.0/8, 11.0.0.1, false",
        "10.0.0.0/8, ::ffff:10.1.2.3, true",
        "192.0.2.7, 192.0.2.7, true",
        "192.0.2.7, 192.0.2.8, false",
        "fd00::/8, fd12::1, true",
        "fd00::/8, fe00::1, false",
        "2001:db8::/127, 2001:db8::1, true",
        "2001:db8::/127, 2001:db8::2, false",
    })
    void contains_comparesOnlyTheSameFamily_andSeesMappedIpv4AsIpv4(String block, String client, boolean inside)
            throws Exception {
        assertThat(AddressBlock.parse(block).contains(address(client))).isEqualTo(inside);
        assertThat(AddressBlock.parse(block).contains(address(client).getAddress()))
                .isEqualTo(inside);
    }

    @Test
    void parseList_skipsBlanks_andNamesTheFirstBadEntry() {
        assertThat(AddressBlock.parseList(" 10.0.0.0/8 ,, fd00::/8 "))
                .containsExactly(AddressBlock.parse("10.0.0.0/8"), AddressBlock.parse("fd00::/8"));
        assertThat(AddressBlock.parseList(" ")).isEmpty();
        assertThatThrownBy(() -> AddressBlock.parseList("10.0.0.0/8,bad,worse"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad'");
    }

    @Test
    void network_isACopy_andOtherLengthsAreNeverInside() {
        AddressBlock block = AddressBlock.parse("10.0.0.0/8");
        block.network()[0] = 11;

        assertThat(block).hasToString("10.0.0.0/8");
        assertThat(block.contains(new byte[] {10, 0, 0})).isFalse();
        assertThatThrownBy(() -> new AddressBlock(new byte[3], 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AddressBlock(new byte[4], 33)).isInstanceOf(IllegalArgumentException.class);
    }
}
