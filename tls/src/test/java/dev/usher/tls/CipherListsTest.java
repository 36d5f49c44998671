package dev.usher.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Test;

/** OpenSSL cipher strings evaluated by the engine: keywords, unknown words, weak suites, the syntax ingress-nginx allows. */
final class CipherListsTest {

    @Test
    void oneOpenSslName_isThatSuite_byItsIanaName() {
        assumeTrue(OpenSsl.isAvailable());
        CipherLists.Parsed parsed = CipherLists.parse("ECDHE-RSA-AES128-GCM-SHA256");
        assertThat(parsed.suites()).containsExactly("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assertThat(parsed.problems()).isEmpty();
    }

    @Test
    void keywordsAndExclusions_areTheEnginesMeaning_inOrder() {
        assumeTrue(OpenSsl.isAvailable());
        CipherLists.Parsed parsed = CipherLists.parse("ECDHE+AESGCM:!aNULL:!MD5:-ECDSA");
        assertThat(parsed.suites())
                .containsExactly("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        assertThat(parsed.problems())
                .as("a ! word naming nothing removes nothing")
                .isEmpty();
    }

    @Test
    void anUnknownWord_isReportedAndLeftOut_theRestApplies() {
        assumeTrue(OpenSsl.isAvailable());
        CipherLists.Parsed parsed = CipherLists.parse("BOGUS:ECDHE-ECDSA-AES256-GCM-SHA384");
        assertThat(parsed.suites()).containsExactly("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        assertThat(parsed.problem()).contains("left out: BOGUS");
    }

    @Test
    void aLongListOfUnknownWords_isReportedBriefly() {
        assumeTrue(OpenSsl.isAvailable());
        CipherLists.Parsed parsed = CipherLists.parse("W1:W2:W3:W4:W5:W6:W7:" + "X".repeat(100) + ":HIGH");
        assertThat(parsed.suites()).isNotEmpty();
        assertThat(parsed.problem()).contains("W1, W2, W3, W4, W5 and 3 more").doesNotContain("W6");
    }

    @Test
    void weakSuites_areRefusedWhateverTheStringSays() {
        assumeTrue(OpenSsl.isAvailable());
        CipherLists.Parsed parsed = CipherLists.parse("3DES:ECDHE-RSA-AES128-GCM-SHA256");
        assertThat(parsed.suites()).containsExactly("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        assertThat(parsed.problem()).contains("weak ciphers refused").contains("DES-CBC3-SHA");
        CipherLists.Parsed only = CipherLists.parse("3DES");
        assertThat(only.suites()).isEmpty();
        assertThat(only.problem()).contains("the default list applies");
        assertThat(CipherLists.parse("eNULL:aNULL:EXPORT:ADH").suites()).isEmpty();
    }

    @Test
    void pskAndTls13_areNeverInTheList() {
        assumeTrue(OpenSsl.isAvailable());
        CipherLists.Parsed parsed = CipherLists.parse("HIGH");
        assertThat(parsed.suites())
                .isNotEmpty()
                .noneMatch(s -> s.contains("PSK"))
                .doesNotContainAnyElementsOf(CipherLists.TLS13);
        assertThat(parsed.problems()).isEmpty();
    }

    @Test
    void aStringOutsideIngressNginxsCharacters_isIgnoredAsAWhole() {
        for (String bad :
                new String[] {"HIGH:@STRENGTH", "HIGH;include /etc/passwd", "HIGH\r\nX: y", " ", "HIGH MEDIUM"}) {
            CipherLists.Parsed parsed = CipherLists.parse(bad);
            assertThat(parsed.suites()).as(bad).isEmpty();
            assertThat(parsed.problem()).as(bad).endsWith("the default list applies");
        }
    }
}
