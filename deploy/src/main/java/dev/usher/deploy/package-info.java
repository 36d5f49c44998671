/**
 * The launcher: the {@code usher} command line ({@code run}, {@code echo}, {@code demo}) and the assembly of the
 * controller's parts (routing table, snapshot publisher, certificate store, proxy listeners, manifests source and
 * admin server).
 *
 * <p>{@link dev.usher.deploy.Main} only parses and wires; {@link dev.usher.deploy.Controller} owns start-up order and
 * shutdown, so tests and benchmarks run exactly what the command runs.
 */
package dev.usher.deploy;
