package dev.usher.deploy;

import dev.usher.proxy.ProxySettings;
import dev.usher.proxy.Transport;
import dev.usher.proxy.TrustedProxies;
import dev.usher.routing.AddressBlock;
import dev.usher.routing.BackendRef;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Flag value parsers: durations ({@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}), sizes, enums and backends. */
final class Converters {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)(i?b)?");

    private Converters() {}

    /** {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT5S}). */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            if (value.trim().equals("0")) {
                return Duration.ZERO;
            }
            Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            }
            try {
                return Duration.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not a duration (examples: 500ms, 5s, 2m, 1h)");
            }
        }
    }

    /** An IP address or CIDR block: {@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}. */
    static final class CidrConverter implements ITypeConverter<AddressBlock> {
        @Override
        public AddressBlock convert(String value) {
            try {
                return AddressBlock.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A byte count, optionally with k, m or g (powers of 1024): {@code 65536}, {@code 64k}, {@code 10m}. */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new TypeConversionException("'" + value + "' is not a size (examples: 65536, 64k, 10m, 1g)");
            }
            int shift =
                    switch (m.group(2)) {
                        case "k" -> 10;
                        case "m" -> 20;
                        case "g" -> 30;
                        default -> 0;
                    };
            return Long.parseLong(m.group(1)) << shift;
        }
    }

    /** {@code round-robin} or {@code least-request}. */
    static final class LoadBalancingConverter implements ITypeConverter<ProxySettings.LoadBalancing> {
        @Override
        public ProxySettings.LoadBalancing convert(String value) {
            return constant(ProxySettings.LoadBalancing.class, value);
        }
    }

    /** {@code text}, {@code json} or {@code off}. */
    static final class AccessLogConverter implements ITypeConverter<ProxySettings.AccessLogFormat> {
        @Override
        public ProxySettings.AccessLogFormat convert(String value) {
            return constant(ProxySettings.AccessLogFormat.class, value);
        }
    }

    /** {@code auto}, {@code io_uring} ({@code io-uring}), {@code epoll} or {@code nio}. */
    static final class TransportConverter implements ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            try {
                return Transport.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code NAMESPACE/SERVICE:PORT}, the port a number or a name. */
    static final class BackendConverter implements ITypeConverter<BackendRef> {
        @Override
        public BackendRef convert(String value) {
            try {
                return BackendRef.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not NAMESPACE/SERVICE:PORT: " + e.getMessage());
            }
        }
    }

    /** {@code CIDR[,CIDR...]}, IPv4 or IPv6, a bare address meaning one host; {@code none} trusts nobody. */
    static final class TrustedProxiesConverter implements ITypeConverter<TrustedProxies> {
        @Override
        public TrustedProxies convert(String value) {
            if (value.trim().equalsIgnoreCase("none")) {
                return TrustedProxies.none();
            }
            try {
                return TrustedProxies.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** The flag spelling of an enum constant: lower case with dashes ({@code ROUND_ROBIN} is {@code round-robin}). */
    static String flag(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Prints a duration the way the flags accept it. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds != 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds != 0 && seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }

    private static <E extends Enum<E>> E constant(Class<E> type, String value) {
        for (E constant : type.getEnumConstants()) {
            if (flag(constant).equals(value.trim().toLowerCase(Locale.ROOT).replace('_', '-'))) {
                return constant;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E constant : type.getEnumConstants()) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(flag(constant));
        }
        throw new TypeConversionException("'" + value + "' is not one of " + allowed);
    }
}
