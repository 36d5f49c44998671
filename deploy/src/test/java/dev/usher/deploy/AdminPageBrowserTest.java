package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The admin page of {@code usher demo} in a real browser: Debian's Chromium, headless, driven by Selenium through
 * Debian's chromedriver. CI installs both ({@code .ci/run}); without them this test fails rather than skips, so a
 * machine that cannot run it is noticed.
 */
final class AdminPageBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    static Path profile;

    private static Demo demo;
    private static ChromeDriver browser;

    @BeforeAll
    static void start() throws IOException {
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("the admin page test needs Debian's chromium and chromium-driver (apt-get install chromium "
                        + "chromium-driver; .ci/run installs them)")
                .isTrue();
        DemoCommand command = (DemoCommand) Main.commandLine()
                .parseArgs("demo", "--http-port", "0", "--https-port", "0", "--admin-port", "0")
                .subcommand()
                .commandSpec()
                .userObject();
        demo = Demo.start(command.config(), new PrintWriter(new StringWriter(), true));
        browser = chromium();
    }

    /** Headless Chromium with a fresh profile; Selenium is given both paths, so Selenium Manager never runs. */
    private static ChromeDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-dev-shm-usage",
                "--window-size=1440,1500",
                "--user-data-dir=" + profile.toAbsolutePath());
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log"))
                .build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (demo != null) {
            demo.close();
        }
    }

    private static String adminUrl() {
        return "http://127.0.0.1:" + demo.controller().adminPort() + "/";
    }

    /**
     * Host and path of every row of the routes table, as {@code "host path"}; read in one script so that a re-render
     * between two reads cannot leave a stale element.
     */
    @SuppressWarnings("unchecked")
    private static List<String> routeRows() {
        return (List<String>) ((JavascriptExecutor) browser)
                .executeScript("return [...document.querySelectorAll("
                        + "'#routes tbody tr[data-key]')].map(tr => tr.dataset.host + ' ' + tr.dataset.path);");
    }

    /** The text of one cell ({@code null}: the whole row) of the route row for {@code host} and {@code path}. */
    private static String cell(String host, String path, String cell) {
        Object text = ((JavascriptExecutor) browser)
                .executeScript(
                        "const tr = [...document.querySelectorAll("
                                + "'#routes tbody tr[data-key]')].find(tr => tr.dataset.host === arguments[0] && tr.dataset.path "
                                + "=== arguments[1]); if (!tr) return null; const td = arguments[2] ? tr.querySelector('td.' + "
                                + "arguments[2]) : tr; return td.innerText;",
                        host,
                        path,
                        cell);
        return text == null ? "" : text.toString();
    }

    private static void request(String host, String target) throws IOException {
        assertThat(RawHttp.get(demo.controller().httpPort(), host, target).status())
                .isEqualTo(200);
    }

    @Test
    void page_showsTheDemoRoutes_explains_followsEdits_andLogsNoConsoleError() throws Exception {
        browser.get(adminUrl());
        ((JavascriptExecutor) browser).executeScript("window.usherLoadMarker = 'same page';");

        await().atMost(PATIENCE).until(() -> routeRows()
                .containsAll(
                        List.of("alpaca.example.com /", "bandicoot.example.com /", "bandicoot.example.com /a/", "* ")));
        assertThat(cell("bandicoot.example.com", "/a/", null))
                .contains("default/path-ingress", "alpaca:8080", "127.0.0.1:");
        assertThat(cell("alpaca.example.com", "/", null)).contains("default", " d)");
        assertThat(browser.findElement(By.id("ready")).getText()).isEqualTo("ready");

        // Live figures: traffic to alpaca shows up as requests per second without a reload.
        for (int i = 0; i < 20; i++) {
            request("alpaca.example.com", "/");
        }
        await().atMost(PATIENCE).until(() -> {
            String rps = cell("alpaca.example.com", "/", "rps");
            return !rps.isEmpty() && !rps.equals("-") && Double.parseDouble(rps) > 0;
        });
        assertThat(cell("alpaca.example.com", "/", "p99")).endsWith("ms");

        // The explain form.
        browser.findElement(By.id("explain-host")).sendKeys("bandicoot.example.com");
        WebElement path = browser.findElement(By.id("explain-path"));
        path.clear();
        path.sendKeys("/a/b?x=1");
        browser.findElement(By.id("explain-submit")).click();
        await().atMost(PATIENCE)
                .until(() -> browser.findElement(By.id("explain-result")).isDisplayed());
        assertThat(browser.findElement(By.id("explain-winner")).getText())
                .contains("/a/", "default/path-ingress", "alpaca:8080");
        assertThat(browser.findElement(By.id("explain-upstream")).getText()).isEqualTo("/a/b?x=1");
        assertThat(browser.findElement(By.id("explain-losers")).getText()).contains("default/path-ingress");

        // A route added in the manifests folder appears without a reload.
        Path manifests = demo.manifests();
        Path temporary = manifests.resolve(".wombat.yaml.swp");
        Files.writeString(
                temporary,
                Files.readString(manifests.resolve("host-ingress.yaml"), StandardCharsets.UTF_8)
                        .replace("host-ingress", "wombat-ingress")
                        .replace("alpaca.example.com", "wombat.example.com"),
                StandardCharsets.UTF_8);
        Files.move(temporary, manifests.resolve("wombat.yaml"), StandardCopyOption.ATOMIC_MOVE);
        await().atMost(PATIENCE).until(() -> routeRows().contains("wombat.example.com /"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.usherLoadMarker;"))
                .isEqualTo("same page");

        // The host filter.
        browser.findElement(By.id("filter-host")).sendKeys("wombat");
        await().atMost(PATIENCE).until(() -> routeRows().equals(List.of("wombat.example.com /")));
        browser.findElement(By.id("filter-host")).clear();
        browser.findElement(By.id("filter-host")).sendKeys(" ");
        await().atMost(PATIENCE).until(() -> routeRows().size() >= 5);

        List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
                .toList();
        assertThat(errors).as("browser console warnings and errors").isEmpty();

        screenshot();
    }

    /** Keeps a screenshot in target/; with -Dusher.screenshot=PATH also there (how docs/admin-page.png is made). */
    private static void screenshot() throws IOException {
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "admin-page.png"), StandardCopyOption.REPLACE_EXISTING);
        String wanted = System.getProperty("usher.screenshot");
        if (wanted != null && !wanted.isBlank()) {
            Files.createDirectories(Path.of(wanted).toAbsolutePath().getParent());
            Files.copy(shot, Path.of(wanted), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
