package dev.usher.deploy.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The admin page's static files, read once from the jar: {@code /} is {@code index.html}, {@code /page/*} the
 * script and style sheet. No CDN and no build step: the pod may have no internet, and the page must work offline.
 */
final class PageFiles {

    /** One file with its media type. */
    record File(String contentType, byte[] bytes) {}

    private static final String ROOT = "/dev/usher/deploy/admin/page/";

    /** Request path → resource name and media type. */
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/page/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"},
            "/page/style.css", new String[] {"style.css", "text/css; charset=utf-8"},
            "/favicon.ico", new String[] {"favicon.svg", "image/svg+xml"});

    private final Map<String, File> files;

    private PageFiles(Map<String, File> files) {
        this.files = files;
    }

    /**
     * Reads every file now, so a broken jar fails at start-up rather than at the first visit.
     *
     * @throws UncheckedIOException when a file is missing from the jar
     */
    static PageFiles load() {
        Map<String, File> loaded = new HashMap<>();
        FILES.forEach((path, entry) -> {
            try (InputStream in = PageFiles.class.getResourceAsStream(ROOT + entry[0])) {
                if (in == null) {
                    throw new IOException("admin page file " + ROOT + entry[0] + " is missing from the jar");
                }
                loaded.put(path, new File(entry[1], in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return new PageFiles(Map.copyOf(loaded));
    }

    /** The file served at {@code path}, or {@code null}. */
    File get(String path) {
        return files.get(path);
    }

    /**
     * Headers that keep the page to itself: scripts, styles and fetches from this origin only (no inline script, so
     * a host name or problem message rendered into the page can never run), no framing, no referrer.
     */
    static void secureHeaders(BiConsumer<String, String> headers) {
        headers.accept(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; "
                        + "connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        headers.accept("X-Content-Type-Options", "nosniff");
        headers.accept("X-Frame-Options", "DENY");
        headers.accept("Referrer-Policy", "no-referrer");
    }
}
