package dev.usher.proxy.echo;

/** The names an echo origin reports about itself, as a pod behind a Service behind an Ingress would. */
record EchoIdentity(String name, String namespace, String ingress, String service, String pod) {
}
