package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

final class H2loadReportTest {

    private static final String SVG = "http://www.w3.org/2000/svg";

    @TempDir
    Path dir;

    /** A run whose log holds 100 requests of {@code p99Micros} (so every percentile is that value). */
    private static H2loadRun run(
            String target, String protocol, int round, double rps, double cpu, long p99Micros, double other) {
        Histogram micros = new Histogram(3);
        micros.recordValueWithCount(p99Micros, 100);
        return new H2loadRun(
                target, protocol, round, rps, Math.round(rps * 10), cpu, 12, other, target + ".requests", micros);
    }

    /** Three rounds of usher and nginx over h2c, one of each over h2 (where nginx is twice as fast). */
    private static List<H2loadRun> runs() {
        return List.of(
                run("usher", "h2c", 1, 30000, 6.0, 1000, 0.01),
                run("nginx", "h2c", 1, 20000, 6.0, 500, 0.02),
                run("usher", "h2", 1, 10000, 6.0, 2000, 0.03),
                run("nginx", "h2", 1, 20000, 6.0, 1000, 0.04),
                run("usher", "h2c", 2, 10000, 6.0, 1800, 0.05),
                run("nginx", "h2c", 2, 20000, 6.0, 500, 0.06),
                run("usher", "h2c", 3, 20000, 6.0, 1400, 0.07),
                run("nginx", "h2c", 3, 20000, 6.0, 500, 0.08));
    }

    @Test
    void rows_perProtocolAndTarget_takeMediansOverRoundsAndSumTheSucceeded() {
        List<H2loadReport.Row> rows = H2loadReport.rows(runs());

        assertThat(rows)
                .extracting(r -> r.protocol() + " " + r.target())
                .containsExactly("h2c usher", "h2c nginx", "h2 usher", "h2 nginx");
        H2loadReport.Row usher = rows.get(0);
        assertThat(usher.rounds()).isEqualTo(3);
        assertThat(usher.requestsPerSecond()).isEqualTo(20000);
        assertThat(usher.requestsPerCpuSecond()).isEqualTo(40000); // 20,000 req/s x 12 s / 6 CPU-s
        assertThat(usher.p99Millis()).isEqualTo(1.4);
        assertThat(usher.succeeded()).isEqualTo(600000);
    }

    @Test
    void markdown_givesRatiosToTheBaselineInTheSameProtocol() {
        String table = H2loadReport.markdown(H2loadReport.rows(runs()), "nginx");

        assertThat(table)
                .startsWith("| protocol | target | rounds | req/s | xnginx | req/CPU-s | xnginx | p50 ms | p99 ms "
                        + "| xnginx | p99.9 ms | CPU s | ok (all rounds) |")
                .contains(
                        "| h2c | usher | 3 | 20000 | 1.00 | 40000 | 1.00 | 1.40 | 1.40 | 2.80 | 1.40 | 6.00 | 600000 |")
                .contains(
                        "| h2 | usher | 1 | 10000 | 0.50 | 20000 | 0.50 | 2.00 | 2.00 | 2.00 | 2.00 | 6.00 | 100000 |")
                .contains("| h2 | nginx | 1 | 20000 | 1.00 |");
    }

    @Test
    void markdown_withoutTheBaseline_showsDashes() {
        String table = H2loadReport.markdown(H2loadReport.rows(runs()), "haproxy");

        assertThat(table).contains("| h2c | usher | 3 | 20000 | - | 40000 | - |");
    }

    @Test
    void machine_isBusyWhenTheLowerMedianIsAboveAQuarterCore_asTheScriptsLineWas() {
        List<H2loadRun> quiet = List.of(
                run("a", "h2c", 1, 1, 1, 1, 0.1),
                run("a", "h2c", 2, 1, 1, 1, 0.2),
                run("a", "h2c", 3, 1, 1, 1, 0.4),
                run("a", "h2c", 4, 1, 1, 1, 0.9));
        H2loadReport.Machine machine = H2loadReport.machine(quiet, 2);
        assertThat(machine.busy()).isFalse();
        assertThat(machine.line()).isEqualTo("other processes used 0.20 cores per run (median), 0.90 at most");

        List<H2loadRun> busy = List.of(
                run("a", "h2c", 1, 1, 1, 1, 0.1), run("a", "h2c", 2, 1, 1, 1, 0.3), run("a", "h2c", 3, 1, 1, 1, 0.9));
        H2loadReport.Machine busyMachine = H2loadReport.machine(busy, 2);
        assertThat(busyMachine.busy()).isTrue();
        assertThat(busyMachine.line())
                .isEqualTo("WARNING: the machine was busy: other processes used 0.30 cores per run (median), 0.90 at "
                        + "most, of 2; 2 of 3 runs above 0.25 cores: these figures are not worth comparing, run "
                        + "again on a quiet machine");
        assertThat(H2loadReport.machine(List.of(), 2).line()).isEqualTo("other processes: not measured");
    }

    @Test
    void json_parsedBack_hasSettingsRunsMediansRatiosAndTheVerdict() {
        String text = Json.write(H2loadReport.json(Map.of("rounds", 3), runs(), "nginx", 2));

        JsonNode json = JsonMapper.builder().build().readTree(text);

        assertThat(json.get("settings").get("rounds").asInt()).isEqualTo(3);
        assertThat(json.get("runs")).hasSize(8);
        JsonNode first = json.get("runs").get(0);
        assertThat(first.get("target").asString()).isEqualTo("usher");
        assertThat(first.get("p99Millis").asDouble()).isEqualTo(1.0);
        assertThat(first.get("requestsPerCpuSecond").asDouble()).isEqualTo(60000);
        JsonNode usherH2 = json.get("medians").get(2);
        assertThat(usherH2.get("protocol").asString()).isEqualTo("h2");
        assertThat(usherH2.get("ratiosToBaseline").get("requestsPerSecond").asDouble())
                .isEqualTo(0.5);
        assertThat(usherH2.get("ratiosToBaseline").get("requestsPerCpuSecond").asDouble())
                .isEqualTo(0.5);
        assertThat(usherH2.get("ratiosToBaseline").get("p99Millis").asDouble()).isEqualTo(2.0);
        assertThat(json.get("machine").get("otherCoresMedian").asDouble()).isEqualTo(0.04);
        assertThat(json.get("machine").get("warning").asBoolean()).isFalse();
    }

    @Test
    void series_mergesTheRoundsOfEachTarget() {
        List<PercentilePlot.Series> series = H2loadReport.series(runs(), true);

        assertThat(series)
                .extracting(PercentilePlot.Series::label)
                .containsExactly("usher h2c", "nginx h2c", "usher h2", "nginx h2");
        // 300 requests over the three h2c rounds of usher: 1.0, 1.8 and 1.4 ms, 100 each
        assertThat(series.get(0).points().get(0).micros()).isEqualTo(1000);
        assertThat(series.get(0).points().get(series.get(0).points().size() - 1).micros())
                .isEqualTo(1800);
    }

    @Test
    void command_writesTableJsonAndOneSvgPerProtocolPlusOneForAll() throws Exception {
        StringBuilder tsv = new StringBuilder("# " + H2loadRun.COLUMNS + "\n");
        for (String name : List.of("usher-h2c-1", "nginx-h2c-1", "usher-h2-1", "nginx-h2-1")) {
            String[] parts = name.split("-");
            StringBuilder log = new StringBuilder();
            for (int i = 1; i <= 1000; i++) {
                log.append(1764856000000000L + i).append("\t200\t").append(i * (parts[0].equals("usher") ? 2 : 1));
                log.append('\n');
            }
            Files.writeString(dir.resolve(name + ".requests"), log);
            tsv.append(String.join(
                    "\t", parts[0], parts[1], "1", "20000", "240000", "4.00", "12", "0.02", name + ".requests"));
            tsv.append('\n');
        }
        Files.writeString(dir.resolve("runs.tsv"), tsv);

        int exit = new CommandLine(new LoadMain())
                .execute(
                        "h2load-report",
                        "--out",
                        dir.toString(),
                        "--protocols",
                        "h2c h2",
                        "--targets",
                        "usher nginx",
                        "--rounds",
                        "1",
                        "--cores",
                        "2");

        assertThat(exit).isZero();
        assertThat(Files.readString(dir.resolve("table.md")))
                .contains("h2load.sh: usher, nginx over h2c h2;", "| h2c | usher | 1 | 20000 | 1.00 |")
                .endsWith("other processes used 0.02 cores per run (median), 0.02 at most\n");
        JsonNode json = JsonMapper.builder().build().readTree(Files.readString(dir.resolve("results.json")));
        assertThat(json.get("settings").get("protocols").get(1).asString()).isEqualTo("h2");
        assertThat(json.get("runs").get(0).get("p99Millis").asDouble()).isEqualTo(1.98);
        assertThat(polylines(dir.resolve("latency.svg"))).isEqualTo(4);
        assertThat(polylines(dir.resolve("latency-h2c.svg"))).isEqualTo(2);
        assertThat(polylines(dir.resolve("latency-h2.svg"))).isEqualTo(2);
    }

    private static int polylines(Path svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document document = factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readString(svg).getBytes(StandardCharsets.UTF_8)));
        return document.getElementsByTagNameNS(SVG, "polyline").getLength();
    }
}
