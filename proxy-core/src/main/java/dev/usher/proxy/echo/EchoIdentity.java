package dev.usher.proxy.echo;

import org.jspecify.annotations.Nullable;

/** The names an echo origin reports about itself, as a pod behind a Service behind an Ingress would. */
record EchoIdentity(String name, String namespace, @Nullable String ingress, String service, String pod) {}
