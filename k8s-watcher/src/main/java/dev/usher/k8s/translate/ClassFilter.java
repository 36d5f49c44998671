package dev.usher.k8s.translate;

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

    /** Whether an Ingress is ours, and why, in words for {@code usher check}. */
    record Selection(boolean ours, String reason) {}

    boolean isOurs(Ingress ingress) {
        Selection selection = select(ingress);
        if (!selection.ours()) {
            LOG.debug("Ingress {} ignored: {}", KubeObjects.key(ingress), selection.reason());
        }
        return selection.ours();
    }

    Selection select(Ingress ingress) {
        String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
        if (className != null && !className.isEmpty()) {
            IngressClass ingressClass = objects.ingressClass(className);
            if (ingressClass == null) {
                return new Selection(false, "IngressClass '" + className + "' is unknown");
            }
            String controller = ingressClass.getSpec() == null
                    ? null
                    : ingressClass.getSpec().getController();
            return isOurs(ingressClass)
                    ? new Selection(true, "IngressClass '" + className + "' of controller " + controller)
                    : new Selection(
                            false,
                            "IngressClass '" + className + "' is of controller " + controller + ", not "
                                    + settings.controllerName());
        }
        String annotation = annotations(ingress).get(CLASS_ANNOTATION);
        if (annotation != null) {
            return annotation.equals(settings.ingressClass())
                    ? new Selection(true, "class annotation '" + annotation + "'")
                    : new Selection(
                            false, "class annotation '" + annotation + "', not '" + settings.ingressClass() + "'");
        }
        if (ourClassIsDefault) {
            return new Selection(true, "it names no class and ours is the default IngressClass");
        }
        return settings.watchIngressWithoutClass()
                ? new Selection(true, "it names no class and --watch-ingress-without-class is set")
                : new Selection(
                        false,
                        "it names no class and ours is not the default "
                                + "(--watch-ingress-without-class would take it)");
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
