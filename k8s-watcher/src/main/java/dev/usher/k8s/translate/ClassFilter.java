package dev.usher.k8s.translate;

import dev.usher.k8s.WatcherSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which Ingresses are ours (class selection, docs/architecture.md); everything else is ignored entirely.
 *
 * <ol>
 *   <li>{@code spec.ingressClassName} set: ours iff that IngressClass exists and its {@code spec.controller} is
 *       ours. The annotation is then not looked at (the field wins, as in the Ingress API).</li>
 *   <li>else annotation {@code kubernetes.io/ingress.class} set: ours iff it equals our class name.</li>
 *   <li>else (no class at all): ours iff an IngressClass of our controller is marked
 *       {@code ingressclass.kubernetes.io/is-default-class: "true"}, or {@code --watch-ingress-without-class}.</li>
 * </ol>
 */
final class ClassFilter {

    static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
    static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

    private static final Logger LOG = LoggerFactory.getLogger(ClassFilter.class);

    private final WatcherSettings settings;
    private final KubeObjects objects;
    private final boolean ourClassIsDefault;

    ClassFilter(KubeObjects objects, WatcherSettings settings) {
        this.objects = objects;
        this.settings = settings;
        this.ourClassIsDefault = objects.ingressClasses().stream()
                .anyMatch(c -> isOurs(c) && "true".equals(annotations(c).get(DEFAULT_CLASS_ANNOTATION)));
    }

    boolean isOurs(Ingress ingress) {
        String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
        if (className != null && !className.isEmpty()) {
            IngressClass ingressClass = objects.ingressClass(className);
            boolean ours = ingressClass != null && isOurs(ingressClass);
            if (!ours) {
                LOG.debug("Ingress {} ignored: IngressClass '{}' is {}", KubeObjects.key(ingress), className,
                        ingressClass == null ? "unknown" : "not of controller " + settings.controllerName());
            }
            return ours;
        }
        String annotation = annotations(ingress).get(CLASS_ANNOTATION);
        if (annotation != null) {
            boolean ours = annotation.equals(settings.ingressClass());
            if (!ours) {
                LOG.debug("Ingress {} ignored: class annotation '{}'", KubeObjects.key(ingress), annotation);
            }
            return ours;
        }
        boolean ours = ourClassIsDefault || settings.watchIngressWithoutClass();
        if (!ours) {
            LOG.debug("Ingress {} ignored: it names no class and ours is not the default", KubeObjects.key(ingress));
        }
        return ours;
    }

    private boolean isOurs(IngressClass ingressClass) {
        return ingressClass.getSpec() != null
                && settings.controllerName().equals(ingressClass.getSpec().getController());
    }

    private static Map<String, String> annotations(HasMetadata object) {
        Map<String, String> a = object.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }
}
