package dev.usher.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code usher nginx-configmap}: ingress-nginx's controller ConfigMap as the {@code usher run} flags that carry it
 * over, key by key, and what does not carry over; exit status 1 when anything would be lost.
 */
@Command(
        name = "nginx-configmap",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Read ingress-nginx's controller ConfigMap (`kubectl get configmap -n ingress-nginx "
                    + "ingress-nginx-controller -o yaml`) and print, key by key, what Usher does with it (honoured, "
                    + "no effect needed, unsupported, refused, invalid) and the `usher run` flags that carry it over. "
                    + "Give the ConfigMaps that add-headers and proxy-set-headers name too (more files, or more "
                    + "documents of one).",
            "",
            "Exit status: 0 when every key carries over, 1 when anything would be lost, 2 when nothing could be "
                    + "read."
        })
final class NginxConfigMapCommand implements Callable<Integer> {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    /** A flag value the shell takes as one word without quotes. */
    private static final Pattern PLAIN = Pattern.compile("[-A-Za-z0-9_.,/:=+@%]+");

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "YAML or JSON manifests holding the ConfigMaps.")
    List<Path> files;

    @Option(
            names = "--configmap",
            paramLabel = "NAMESPACE/NAME",
            description = "The controller's ConfigMap among them (default: the first one).")
    @Nullable
    String configMap;

    @Option(
            names = "--format",
            paramLabel = "FORMAT",
            defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        if (!"text".equals(format) && !"json".equals(format)) {
            throw new ParameterException(spec.commandLine(), "--format: expected text or json, got '" + format + "'");
        }
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Map<String, String>> maps = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                for (ConfigMap map : configMaps(file)) {
                    maps.put(id(map), map.getData() == null ? Map.of() : map.getData());
                }
            } catch (IOException | RuntimeException e) {
                err.println("usher nginx-configmap: cannot read " + file + ": " + e.getMessage());
                err.flush();
                return 2;
            }
        }
        String controller = configMap != null
                ? configMap
                : maps.keySet().stream().findFirst().orElse(null);
        if (controller == null || !maps.containsKey(controller)) {
            err.println("usher nginx-configmap: no ConfigMap " + (controller == null ? "" : controller + " ") + "in "
                    + files);
            err.flush();
            return 2;
        }
        NginxConfigMap.Result result = checked(NginxConfigMap.translate(maps.get(controller), maps));
        PrintWriter out = spec.commandLine().getOut();
        out.print("json".equals(format) ? json(controller, result) : text(controller, result));
        out.flush();
        return result.dropsAnything() ? 1 : 0;
    }

    /** Each honoured key's flags parsed as {@code usher run} parses them: a value it would refuse is invalid. */
    static NginxConfigMap.Result checked(NginxConfigMap.Result result) {
        List<NginxConfigMap.Key> keys = new ArrayList<>();
        for (NginxConfigMap.Key key : result.keys()) {
            String problem = key.status() == NginxConfigMap.Status.HONOURED ? runProblem(key.args()) : null;
            keys.add(problem == null ? key : key.invalid("usher run would refuse it: " + problem));
        }
        return new NginxConfigMap.Result(List.copyOf(keys));
    }

    /** Why {@code usher run} would refuse {@code args}, or {@code null}. */
    static @Nullable String runProblem(List<String> args) {
        RunCommand run = new RunCommand();
        try {
            new CommandLine(run).parseArgs(args.toArray(String[]::new));
            run.config();
            return null;
        } catch (ParameterException | IllegalArgumentException | IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static List<ConfigMap> configMaps(Path file) throws IOException {
        List<ConfigMap> maps = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            collect(SERIALIZATION.unmarshal(in), maps);
        }
        return maps;
    }

    private static void collect(@Nullable Object parsed, List<ConfigMap> out) {
        if (parsed instanceof ConfigMap map) {
            out.add(map);
        } else if (parsed instanceof KubernetesList list) {
            list.getItems().forEach(item -> collect(item, out));
        } else if (parsed instanceof List<?> list) {
            list.forEach(item -> collect(item, out));
        }
    }

    private static String id(ConfigMap map) {
        String namespace = map.getMetadata() == null ? null : map.getMetadata().getNamespace();
        String name = map.getMetadata() == null ? null : map.getMetadata().getName();
        return Objects.requireNonNullElse(namespace, "default") + "/" + Objects.requireNonNullElse(name, "");
    }

    static String text(String controller, NginxConfigMap.Result result) {
        StringBuilder out = new StringBuilder();
        long lost = result.keys().stream().filter(k -> k.status().drops()).count();
        out.append("ingress-nginx ConfigMap ")
                .append(controller)
                .append(": ")
                .append(result.keys().size())
                .append(" key(s), ")
                .append(lost)
                .append(lost == 1 ? " is" : " are")
                .append(" not carried over\n");
        for (NginxConfigMap.Key key : result.keys()) {
            out.append(String.format("  %-12s %s = \"%s\"", key.status().label, key.key(), printable(key.value())));
            if (!key.args().isEmpty()) {
                out.append(" -> ").append(shell(key.args()));
            }
            if (!key.note().isEmpty()) {
                out.append(" (").append(printable(key.note())).append(')');
            }
            out.append('\n');
        }
        out.append("usher run flags:");
        List<String> args = result.args();
        out.append(args.isEmpty() ? " none needed" : " " + shell(args)).append('\n');
        return out.toString();
    }

    static String json(String controller, NginxConfigMap.Result result) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode root = mapper.createObjectNode();
        root.put("configMap", controller);
        root.put("dropsAnything", result.dropsAnything());
        ArrayNode keys = root.putArray("keys");
        for (NginxConfigMap.Key key : result.keys()) {
            ObjectNode k = keys.addObject();
            k.put("key", key.key());
            k.put("value", key.value());
            k.put("status", key.status().label);
            key.args().forEach(k.putArray("flags")::add);
            k.put("note", key.note());
        }
        result.args().forEach(root.putArray("flags")::add);
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }

    /** The arguments as one shell command line: a value with blanks or quotes in single quotes. */
    static String shell(List<String> args) {
        List<String> words = new ArrayList<>(args.size());
        for (String arg : args) {
            words.add(PLAIN.matcher(arg).matches() ? arg : "'" + printable(arg).replace("'", "'\\''") + "'");
        }
        return String.join(" ", words);
    }

    /** Control characters of a manifest's text never reach the terminal as such. */
    private static String printable(@Nullable String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
