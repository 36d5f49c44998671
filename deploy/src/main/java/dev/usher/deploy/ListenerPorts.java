package dev.usher.deploy;

import picocli.CommandLine.Option;

/** The listener ports shared by {@code usher run} and {@code usher demo} (a picocli mixin). */
final class ListenerPorts {

    @Option(
            names = "--http-port",
            paramLabel = "PORT",
            defaultValue = "8080",
            description = "HTTP listener port, 0 = any free port (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
            names = "--https-port",
            paramLabel = "PORT",
            defaultValue = "8443",
            description = "HTTPS listener port, 0 = any free port (default: ${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--disable-https", description = "Run no HTTPS listener.")
    boolean disableHttps;

    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            defaultValue = "9090",
            description = "Admin port: /healthz /readyz /metrics, and for loopback clients the page at / and /debug/*; "
                    + "0 = any free port "
                    + "(default: ${DEFAULT-VALUE}).")
    int adminPort;

    /** Sets the three ports on {@code config}; a disabled HTTPS listener is port -1. */
    ControllerConfig.Builder applyTo(ControllerConfig.Builder config) {
        return config.httpPort(httpPort)
                .httpsPort(disableHttps ? -1 : httpsPort)
                .adminPort(adminPort);
    }
}
