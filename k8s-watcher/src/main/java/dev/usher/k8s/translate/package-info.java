/**
 * The pure translation shared by every source: Kubernetes objects ({@link dev.usher.k8s.translate.KubeObjects}) and
 * settings in, a {@link Translation} out, through ordered steps that report and skip bad input (class
 * selection, Ingress conversion and validation, legacy Ingress conversion, backend and endpoint resolution, TLS).
 */
package dev.usher.k8s.translate;
