/**
 * Kubernetes sources for Usher: the manifests folder ({@link dev.usher.k8s.ManifestsSource}) and the API server
 * ({@link dev.usher.k8s.ClusterSource}, with Ingress status written by the elected replica); both feed the pure
 * {@link dev.usher.k8s.translate.Translator} and hand its result to the {@link dev.usher.k8s.SnapshotPublisher}, which
 * updates the routing table and the certificate store.
 */
package dev.usher.k8s;
