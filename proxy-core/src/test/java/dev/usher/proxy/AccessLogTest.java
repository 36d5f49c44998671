package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class AccessLogTest {

    private static final AccessLog.Entry ENTRY = new AccessLog.Entry(
            0L,
            "10.0.0.1",
            "GET",
            "/a?q=\"x\"",
            "HTTP/1.1",
            "app.test",
            200,
            5,
            316,
            3_000_000L,
            "default",
            "app-ingress",
            "app",
            "10.1.1.1:8080",
            "id-1");

    @Test
    void text_isOneLineWithStatusBytesDurationRouteAndId() {
        assertThat(AccessLog.text(ENTRY))
                .isEqualTo("10.0.0.1 \"GET /a?q=\\x22x\\x22 HTTP/1.1\" 200 316 3ms "
                        + "host=app.test route=default/app-ingress service=app upstream=10.1.1.1:8080 in=5 id=id-1");
    }

    @Test
    void text_escapesWhatClientsControl_asNginxEscapeDefault() {
        AccessLog.Entry hostile = new AccessLog.Entry(
                0L,
                "10.0.0.1",
                "G\"T",
                "/a\\b\u001b[31m\u00e9\u007f",
                "HTTP/1.1",
                "h\"ost\nx",
                400,
                0,
                0,
                0,
                null,
                null,
                null,
                null,
                "id\"\r\n1");

        assertThat(AccessLog.text(hostile))
                .isEqualTo("10.0.0.1 \"G\\x22T /a\\x5Cb\\x1B[31m\\xE9\\x7F HTTP/1.1\" 400 0 "
                        + "0ms host=h\\x22ost\\x0Ax route=-/- service=- upstream=- in=0 id=id\\x22\\x0D\\x0A1");
    }

    @Test
    void json_escapesControlAndNonAsciiCharacters() {
        AccessLog.Entry hostile = new AccessLog.Entry(
                0L,
                "10.0.0.1",
                "GET",
                "/\u001b\u00e9\u007f\"\\\n",
                "HTTP/1.1",
                null,
                400,
                0,
                0,
                0,
                null,
                null,
                null,
                null,
                null);

        String line = AccessLog.json(hostile);
        assertThat(line).contains("\"uri\":\"/\\u001B\\u00E9\\u007F\\\"\\\\\\n\"");
        assertThat(line.chars()).as("one line of printable ASCII").allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @Test
    void json_escapesQuotesAndUsesNullForUnknown() {
        AccessLog.Entry unrouted = new AccessLog.Entry(
                0L, "10.0.0.1", "GET", "/", "HTTP/1.0", null, 400, 0, 10, 0, null, null, null, null, null);

        assertThat(AccessLog.json(ENTRY))
                .startsWith("{\"time\":\"1970-01-01T00:00:00Z\",\"client\":\"10.0.0.1\"")
                .contains(
                        "\"uri\":\"/a?q=\\\"x\\\"\"",
                        "\"status\":200",
                        "\"bytes_out\":316",
                        "\"duration_ms\":3",
                        "\"request_id\":\"id-1\"")
                .endsWith("}");
        assertThat(AccessLog.json(unrouted)).contains("\"host\":null", "\"namespace\":null", "\"status\":400");
    }
}
