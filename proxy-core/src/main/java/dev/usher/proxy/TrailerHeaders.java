package dev.usher.proxy;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * The decoders' factory of trailer fields: Netty's trailer validation, with a hash table sized for the few trailers a
 * message carries.
 *
 * <p>A decoder makes a trailer set for every message with a body (its last content), and nearly all stay empty; Netty's
 * default table of 16 buckets is most of what the set weighs. Two buckets grow like any other table when trailers do
 * come (gRPC's {@code grpc-status} and {@code grpc-message}).
 */
final class TrailerHeaders implements HttpHeadersFactory {

    static final TrailerHeaders FACTORY = new TrailerHeaders();

    private static final int SIZE_HINT = 2;

    private final DefaultHeaders.NameValidator<CharSequence> names;
    private final DefaultHeaders.ValueValidator<CharSequence> values;

    private TrailerHeaders() {
        DefaultHttpHeadersFactory netty = DefaultHttpHeadersFactory.trailersFactory();
        this.names = netty.getNameValidator();
        this.values = netty.getValueValidator();
    }

    @Override
    public HttpHeaders newHeaders() {
        return new Small(names, values);
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
        return new Small(names, values);
    }

    /** {@link DefaultHttpHeaders} with {@link #SIZE_HINT} buckets. */
    private static final class Small extends DefaultHttpHeaders {
        Small(DefaultHeaders.NameValidator<CharSequence> names, DefaultHeaders.ValueValidator<CharSequence> values) {
            super(names, values, SIZE_HINT);
        }
    }
}
