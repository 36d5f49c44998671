package dev.usher.k8s;

import dev.usher.k8s.CheckReport.IngressEntry;
import dev.usher.k8s.CheckReport.RouteLine;
import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.Annotations.Verdict;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code usher check}'s output: a summary that fits one screen for hundreds of Ingresses (counts per classification,
 * the most used annotations), then each Ingress in detail. Text for people, JSON (same content) for tools.
 */
public final class CheckFormat {

    private static final int TOP = 10;
    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private CheckFormat() {}

    /** Counts over the Ingresses this controller serves. */
    record Summary(
            int ingresses,
            int served,
            int notServed,
            int droppingSomething,
            int routes,
            int problems,
            int conflicts,
            Map<Status, Integer> annotations,
            List<TopAnnotation> topAnnotations,
            boolean dropsAnything) {}

    record TopAnnotation(String key, Status status, int count) {}

    static Summary summary(CheckReport report) {
        List<IngressEntry> served =
                report.ingresses().stream().filter(IngressEntry::served).toList();
        Map<Status, Integer> byStatus = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            byStatus.put(s, 0);
        }
        Map<String, TopAnnotation> byKey = new TreeMap<>();
        for (IngressEntry e : served) {
            for (Verdict v : e.annotations()) {
                byStatus.merge(v.status(), 1, Integer::sum);
                byKey.merge(
                        v.key() + " " + v.status(),
                        new TopAnnotation(v.key(), v.status(), 1),
                        (a, b) -> new TopAnnotation(a.key(), a.status(), a.count() + 1));
            }
        }
        List<TopAnnotation> top = byKey.values().stream()
                .sorted(Comparator.comparingInt(TopAnnotation::count).reversed().thenComparing(TopAnnotation::key))
                .limit(TOP)
                .toList();
        int problems = report.otherProblems().size()
                + served.stream().mapToInt(e -> e.problems().size()).sum();
        return new Summary(
                report.ingresses().size(),
                served.size(),
                report.ingresses().size() - served.size(),
                (int) served.stream().filter(IngressEntry::dropsAnything).count(),
                served.stream().mapToInt(e -> e.routes().size()).sum(),
                problems,
                report.conflicts().size(),
                byStatus,
                top,
                report.dropsAnything());
    }

    public static String text(CheckReport report) {
        Summary s = summary(report);
        StringBuilder out = new StringBuilder();
        out.append("usher check: ")
                .append(s.ingresses())
                .append(" Ingresses, ")
                .append(s.served())
                .append(" served by this controller, ")
                .append(s.notServed())
                .append(" not; ")
                .append(s.routes())
                .append(" routes, ")
                .append(s.problems())
                .append(" problems, ")
                .append(s.conflicts())
                .append(" conflicts\n");
        out.append("annotations on served Ingresses:");
        s.annotations().forEach((status, count) -> out.append(' ')
                .append(count)
                .append(' ')
                .append(status.label())
                .append(status.ordinal() < Status.values().length - 1 ? "," : "\n"));
        if (!s.topAnnotations().isEmpty()) {
            out.append("most used:\n");
            s.topAnnotations()
                    .forEach(t -> out.append(String.format(
                            "  %4d  %s (%s)%n",
                            t.count(), clean(t.key()), t.status().label())));
        }
        out.append(
                s.dropsAnything()
                        ? "result: " + s.droppingSomething() + " served Ingresses would lose something; details below\n"
                        : "result: everything carries over\n");
        for (IngressEntry e : report.ingresses()) {
            out.append('\n')
                    .append("Ingress ")
                    .append(clean(e.ingress()))
                    .append(": ")
                    .append(e.served() ? "served" : "not served")
                    .append(" (")
                    .append(clean(e.reason()))
                    .append(")\n");
            for (Verdict v : e.annotations()) {
                out.append("  annotation ")
                        .append(clean(v.key()))
                        .append(": ")
                        .append(v.status().label())
                        .append(": ")
                        .append(clean(v.reason()))
                        .append('\n');
            }
            e.problems().forEach(p -> out.append("  problem: ")
                    .append(clean(String.valueOf(p)))
                    .append('\n'));
            e.conflicts().forEach(c -> out.append("  conflict: ")
                    .append(clean(String.valueOf(c)))
                    .append('\n'));
            for (RouteLine r : e.routes()) {
                out.append("  route: ")
                        .append(clean(String.valueOf(r.host())))
                        .append(' ')
                        .append(r.path() == null ? "(default backend)" : clean(r.path()))
                        .append(' ')
                        .append(clean(String.valueOf(r.type())))
                        .append(" -> ")
                        .append(clean(String.valueOf(r.backend())))
                        .append('\n');
            }
        }
        if (!report.otherProblems().isEmpty()) {
            out.append("\nother problems:\n");
            report.otherProblems().forEach(p -> out.append("  ")
                    .append(clean(p.source()))
                    .append(": ")
                    .append(clean(p.message()))
                    .append('\n'));
        }
        return out.toString();
    }

    /**
     * {@code text} with every control character (C0, DEL, C1) written as {@code \\uXXXX}: the report goes to a
     * terminal, and names, keys and values of a manifests folder were never checked by an API server, so an escape
     * sequence in one could rewrite the screen (hide the result line) or set the clipboard, and a newline forge a line.
     */
    static String clean(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 8).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    public static String json(CheckReport report) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("summary", summary(report));
        root.put("ingresses", report.ingresses());
        root.put("otherProblems", report.otherProblems());
        root.put("conflicts", report.conflicts());
        return JSON.writeValueAsString(root) + "\n";
    }
}
