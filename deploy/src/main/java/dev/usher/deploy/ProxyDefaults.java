package dev.usher.deploy;

import dev.usher.proxy.ProxySettings;
import java.util.TreeSet;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Shows {@link ProxySettings#defaults()} in {@code --help}, so the help text cannot drift from the data plane's
 * real defaults. Only help uses it: {@link ProxyOptions#toSettings()} starts from the same defaults anyway.
 */
final class ProxyDefaults implements IDefaultValueProvider {

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        ProxySettings d = ProxySettings.defaults();
        return switch (option.longestName()) {
            case "--connect-timeout" -> Converters.format(d.connectTimeout());
            case "--response-timeout" -> Converters.format(d.responseTimeout());
            case "--client-idle-timeout" -> Converters.format(d.clientIdleTimeout());
            case "--request-header-timeout" -> Converters.format(d.requestHeaderTimeout());
            case "--tunnel-idle-timeout" -> Converters.format(d.tunnelIdleTimeout());
            case "--pool-idle-timeout" -> Converters.format(d.poolIdleTimeout());
            case "--max-connections-per-endpoint" -> Integer.toString(d.maxConnectionsPerEndpoint());
            case "--max-idle-per-endpoint" -> Integer.toString(d.maxIdlePerEndpoint());
            case "--max-initial-line-length" -> Integer.toString(d.maxInitialLineLength());
            case "--max-header-size" -> Integer.toString(d.maxHeaderSize());
            case "--max-request-body" -> Long.toString(d.maxRequestBodyBytes());
            case "--connect-attempts" -> Integer.toString(d.connectAttempts());
            case "--load-balancing" -> Converters.flag(d.loadBalancing());
            case "--access-log" -> Converters.flag(d.accessLog());
            case "--trusted-proxies" -> d.trustedProxies().toString();
            case "--enable-underscores-in-headers" -> Boolean.toString(d.underscoresInHeaders());
            case "--upgrade-protocols" -> String.join(",", new TreeSet<>(d.upgradeProtocols()));
            case "--client-body-timeout" -> Converters.format(d.clientBodyTimeout());
            case "--client-body-buffer-size" -> Integer.toString(d.clientBodyBufferSize());
            case "--client-body-temp-dir" -> d.clientBodyTempDir().toString();
            case "--client-body-temp-max" -> Long.toString(d.clientBodyTempMaxBytes());
            case "--outlier-consecutive-failures" -> Integer.toString(d.outlierDetection().consecutiveFailures());
            case "--outlier-base-ejection-time" -> Converters.format(d.outlierDetection().baseEjectionTime());
            case "--outlier-max-ejection-percent" -> Integer.toString(d.outlierDetection().maxEjectionPercent());
            default -> null;
        };
    }
}
