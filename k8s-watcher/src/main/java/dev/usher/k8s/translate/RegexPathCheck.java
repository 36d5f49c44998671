package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.RegexHosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The step after conversion for ingress-nginx's regex mode: it spans Ingresses (one Ingress's {@code use-regex} makes
 * every path of its hosts a regex), so it runs once all of ours are converted. A path of a regex host that RE2 cannot
 * compile (PCRE-only syntax such as backreferences and lookaround) is reported, naming the path and why, and skipped;
 * the other paths serve.
 */
final class RegexPathCheck {

    private RegexPathCheck() {}

    static List<Converted> apply(List<Converted> converted, Problems problems) {
        Set<String> regexHosts =
                RegexHosts.of(converted.stream().map(Converted::ruleSet).toList());
        if (regexHosts.isEmpty()) {
            return converted;
        }
        List<Converted> checked = new ArrayList<>(converted.size());
        for (Converted c : converted) {
            IngressRuleSet ruleSet = c.ruleSet();
            List<HostRule> rules = new ArrayList<>(ruleSet.rules().size());
            boolean changed = false;
            for (HostRule rule : ruleSet.rules()) {
                if (!RegexHosts.contains(regexHosts, rule.host())) {
                    rules.add(rule);
                    continue;
                }
                List<PathRule> paths = new ArrayList<>(rule.paths().size());
                for (PathRule path : rule.paths()) {
                    String problem = RegexHosts.problem(path.path());
                    if (problem == null) {
                        paths.add(path);
                    } else {
                        changed = true;
                        problems.add(
                                "Ingress " + ruleSet.id(),
                                "host " + (rule.host() == null ? "*" : rule.host())
                                        + " is in regex mode (use-regex or rewrite-target on an Ingress of that host), but"
                                        + " path " + Problems.quote(path.path()) + " is not an RE2 regular expression ("
                                        + problem + "); path skipped");
                    }
                }
                rules.add(new HostRule(rule.host(), paths));
            }
            checked.add(
                    changed
                            ? new Converted(
                                    new IngressRuleSet(
                                            ruleSet.namespace(),
                                            ruleSet.name(),
                                            ruleSet.creationTimestamp(),
                                            rules,
                                            ruleSet.defaultBackend(),
                                            ruleSet.options()),
                                    c.tls())
                            : c);
        }
        return checked;
    }
}
