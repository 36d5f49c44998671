package dev.usher.k8s.translate;

import dev.usher.k8s.translate.IngressConverter.Converted;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the previous translation made of each Ingress on its own, so that the next one converts only the Ingresses
 * that changed.
 *
 * <p>Converting an Ingress ({@link IngressConverter}) and auditing its annotations read nothing but the Ingress and
 * the settings, so their result (the rule set and the problems found, in order) is kept per Ingress <em>instance</em>
 * and replayed while the same instance comes back with equal settings. Both sources hand over a new instance when
 * an object changes (the manifests folder re-parses the file, an informer delivers the new version) and never modify
 * one they handed over, so identity is the whole key. Everything that reads other objects (Services, Secrets,
 * IngressClasses) still runs on every translation. Only what the last translation used is kept: an Ingress that is
 * gone is forgotten by the next translation.
 *
 * <p>Not thread-safe: one per source, used by the thread that translates.
 */
public final class ConversionMemo {

    private record Entry(
            WatcherSettings settings,
            Converted converted,
            List<Problem> conversionProblems,
            List<Problem> annotationProblems) {}

    private Map<Ingress, Entry> previous = new IdentityHashMap<>();
    private Map<Ingress, Entry> current = new IdentityHashMap<>();
    private long hits;
    private long misses;

    /** Converts {@code ingress} as the last translation did when it is the same instance; reports its problems. */
    Converted convert(Ingress ingress, WatcherSettings settings, Problems problems) {
        Entry entry = previous.get(ingress);
        if (entry == null || !entry.settings().equals(settings)) {
            misses++;
            Problems conversion = new Problems();
            Converted converted = IngressConverter.convert(ingress, settings.globalAuth(), conversion);
            Problems annotations = new Problems();
            Translator.reportAnnotations(ingress, settings, annotations);
            entry = new Entry(settings, converted, conversion.list(), annotations.list());
        } else {
            hits++;
        }
        current.put(ingress, entry);
        problems.addAll(entry.conversionProblems());
        return entry.converted();
    }

    /** The annotation problems of the Ingress {@link #convert} last handled, reported after its other steps. */
    void reportAnnotations(Ingress ingress, Problems problems) {
        Entry entry = current.get(ingress);
        if (entry != null) {
            problems.addAll(entry.annotationProblems());
        }
    }

    /** Ends a translation: what it converted is what the next one may reuse. */
    void finish() {
        previous = current;
        current = new IdentityHashMap<>();
    }

    /** Conversions reused since this memo was made. */
    public long hits() {
        return hits;
    }

    /** Conversions done since this memo was made. */
    public long misses() {
        return misses;
    }
}
