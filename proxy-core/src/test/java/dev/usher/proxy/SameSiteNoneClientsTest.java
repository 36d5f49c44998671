package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Chromium's list of clients incompatible with {@code SameSite=None}, on real User-Agent strings. */
final class SameSiteNoneClientsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "chrome 60 drops it | true | Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.113 Safari/537.36",
                "chrome 51 drops it | true | Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36",
                "chrome 67 is fine | false | Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/67.0.3396.99 Safari/537.36",
                "chrome 50 is fine (ignores SameSite) | false | Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/50.0.2661.102 Safari/537.36",
                "chrome 120 is fine | false | Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                "iOS 12 safari | true | Mozilla/5.0 (iPhone; CPU iPhone OS 12_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1",
                "iOS 12 chrome | true | Mozilla/5.0 (iPad; CPU OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/71.0.3578.89 Mobile/15E148 Safari/605.1",
                "iOS 13 safari | false | Mozilla/5.0 (iPhone; CPU iPhone OS 13_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.3 Mobile/15E148 Safari/604.1",
                "macOS 10.14 safari | true | Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Safari/605.1.15",
                "macOS 10.14 embedded | true | Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/605.1.15 (KHTML, like Gecko)",
                "macOS 10.14 chrome | false | Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.93 Safari/537.36",
                "macOS 10.15 safari | false | Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0 Safari/605.1.15",
                "UC 12.13.0 | true | Mozilla/5.0 (Linux; U; Android 8.0.0; en-US; Pixel XL Build/OPR3.170623.007) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 UCBrowser/12.13.0.1207 Mobile Safari/534.30",
                "UC 12.13.2 | false | Mozilla/5.0 (Linux; U; Android 8.0.0; en-US; Pixel XL Build/OPR3.170623.007) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 UCBrowser/12.13.2.1208 Mobile Safari/534.30",
                "firefox | false | Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                "curl | false | curl/8.5.0",
            })
    void rejectsNone(String name, boolean expected, String userAgent) {
        assertThat(SameSiteNoneClients.rejectsNone(userAgent)).isEqualTo(expected);
    }

    @Test
    void noUserAgent_isNotOnTheList() {
        assertThat(SameSiteNoneClients.rejectsNone(null)).isFalse();
        assertThat(SameSiteNoneClients.rejectsNone("")).isFalse();
        assertThat(SameSiteNoneClients.rejectsNone("Chrome/")).isFalse();
        assertThat(SameSiteNoneClients.rejectsNone("Chrome/99999999999999999999"))
                .isFalse();
    }

    @Test
    void aHugeCraftedUserAgent_isReadInOnePass() {
        String crafted = "(iP; CPU ".repeat(5_000) + "OS 12_" + "(Macintosh; Mac OS X 10_".repeat(5_000);

        assertThat(SameSiteNoneClients.rejectsNone(crafted)).isFalse();
    }
}
