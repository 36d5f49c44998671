package dev.usher.routing;

/**
 * nginx's {@code limit_rate} and {@code limit_rate_after} of an Ingress (ingress-nginx's {@code limit-rate} and
 * {@code limit-rate-after}, both in KiB as ingress-nginx renders them, {@code limit_rate <n>k}): each response's body
 * goes to the client at most {@code bytesPerSecond}, per request, once its first {@code afterBytes} went out
 * unthrottled.
 *
 * @param bytesPerSecond the pace of the response body after {@code afterBytes}, above 0
 * @param afterBytes body bytes sent at full speed first, 0 or more
 */
public record ResponseRate(long bytesPerSecond, long afterBytes) {

    public ResponseRate {
        if (bytesPerSecond <= 0 || afterBytes < 0) {
            throw new IllegalArgumentException("a response rate needs bytesPerSecond > 0 and afterBytes >= 0, got "
                    + bytesPerSecond + ", " + afterBytes);
        }
    }
}
