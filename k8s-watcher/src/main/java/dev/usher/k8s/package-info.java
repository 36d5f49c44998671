/**
 * Kubernetes sources for Usher: the manifests folder ({@link dev.usher.k8s.ManifestsSource}) and, later, the API
 * server; both feed the pure {@link dev.usher.k8s.translate.Translator} and hand its result to the
 * {@link dev.usher.k8s.SnapshotPublisher}, which updates the routing table and the certificate store.
 */
package dev.usher.k8s;
