package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.PortRef;
import dev.usher.routing.Upstream;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A grpc-java server (grpc-netty-shaded) as an h2c origin, reached by a unary call written by hand over HTTP/1.1
 * (clients speaking HTTP/2 to Usher are issue 11): grpc-java accepts the stream Usher opens ({@code te: trailers},
 * {@code :scheme}, {@code :authority}), and its reply and {@code grpc-status} trailers come back as chunked trailers;
 * an error status and an unknown method arrive as the trailers-only responses grpc-java sends.
 */
final class GrpcOriginTest {

    private static final BackendRef GRPC = new BackendRef("default", "greeter", PortRef.number(50051));
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static Server grpc;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws IOException {
        grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(ServerServiceDefinition.builder("test.Greeter")
                        .addMethod(method("test.Greeter/Say"), unary(false))
                        .addMethod(method("test.Greeter/Fail"), unary(true))
                        .build())
                .build()
                .start();
        proxy = new UpstreamRoutes()
                .endpoint(GRPC, grpc.getPort())
                .route("grpc.test", GRPC, Upstream.of(BackendProtocol.H2C, null))
                .start();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        proxy.close();
        grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static MethodDescriptor<byte[], byte[]> method(String name) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(name)
                .setRequestMarshaller(BYTES)
                .setResponseMarshaller(BYTES)
                .build();
    }

    /** Answers "hello NAME" with a custom trailer, or fails with NOT_FOUND. */
    private static ServerCallHandler<byte[], byte[]> unary(boolean fail) {
        return (call, headers) -> {
            call.request(1);
            return new ServerCall.Listener<>() {
                private byte[] request = new byte[0];

                @Override
                public void onMessage(byte[] message) {
                    request = message;
                }

                @Override
                public void onHalfClose() {
                    if (fail) {
                        call.close(Status.NOT_FOUND.withDescription("no such greeting"), new Metadata());
                        return;
                    }
                    call.sendHeaders(new Metadata());
                    call.sendMessage(
                            ("hello " + new String(request, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
                    Metadata trailers = new Metadata();
                    trailers.put(Metadata.Key.of("x-greeting-count", Metadata.ASCII_STRING_MARSHALLER), "1");
                    call.close(Status.OK, trailers);
                }
            };
        };
    }

    /** A gRPC unary call as raw HTTP/1.1: the message in gRPC's length-prefixed framing. */
    private static String call(String method, String message) throws IOException {
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder body = new StringBuilder().append((char) 0);
        for (int shift = 24; shift >= 0; shift -= 8) {
            body.append((char) ((payload.length >> shift) & 0xff));
        }
        body.append(new String(payload, StandardCharsets.ISO_8859_1));
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("POST /" + method + " HTTP/1.1\r\nHost: grpc.test\r\nContent-Type: application/grpc\r\n"
                    + "TE: trailers\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            return raw.readUntilClose();
        }
    }

    @Test
    void unaryCall_replyAndTrailersComeBack() throws IOException {
        String response = call("test.Greeter/Say", "usher");
        String lower = response.toLowerCase(java.util.Locale.ROOT);
        assertThat(lower)
                .startsWith("http/1.1 200")
                .contains("content-type: application/grpc")
                .contains("transfer-encoding: chunked");
        assertThat(response).contains("hello usher");
        assertThat(lower).contains("\r\ngrpc-status: 0\r\n").contains("\r\nx-greeting-count: 1\r\n");
    }

    @Test
    void anErrorStatusArrivesAsGrpcSendsIt() throws IOException {
        String lower = call("test.Greeter/Fail", "usher").toLowerCase(java.util.Locale.ROOT);
        assertThat(lower).startsWith("http/1.1 200").contains("grpc-status: 5").contains("no such greeting");
    }

    @Test
    void anUnknownMethodIsUnimplemented() throws IOException {
        String lower = call("test.Greeter/Nope", "usher").toLowerCase(java.util.Locale.ROOT);
        assertThat(lower).startsWith("http/1.1 200").contains("grpc-status: 12");
    }
}
