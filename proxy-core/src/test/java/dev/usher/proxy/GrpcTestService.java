package dev.usher.proxy;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A gRPC service defined without protoc: UTF-8 strings as messages, one method per call kind, plus an error and a
 * call that never answers. Handlers run on grpc-java's executor; what the tests await is in atomics. Public for the
 * launcher's end-to-end tests (deploy), through this module's test-jar.
 */
public final class GrpcTestService {

    public static final String SERVICE = "test.Echo";
    static final Metadata.Key<String> COUNT = Metadata.Key.of("x-message-count", Metadata.ASCII_STRING_MARSHALLER);
    static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    public static final MethodDescriptor<String, String> SAY = method("Say", MethodType.UNARY);
    public static final MethodDescriptor<String, String> COUNT_TO = method("CountTo", MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> JOIN = method("Join", MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> CHAT = method("Chat", MethodType.BIDI_STREAMING);
    static final MethodDescriptor<String, String> FAIL = method("Fail", MethodType.UNARY);
    static final MethodDescriptor<String, String> HOLD = method("Hold", MethodType.UNARY);
    /** The description FAIL closes with: non-ASCII and a percent sign, percent-encoded on the wire. */
    static final String FAILURE = "präzise 100% falsch";

    final AtomicInteger held = new AtomicInteger();
    final AtomicInteger cancelled = new AtomicInteger();

    static MethodDescriptor<String, String> method(String name, MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setType(type)
                .setFullMethodName(SERVICE + "/" + name)
                .setRequestMarshaller(TEXT)
                .setResponseMarshaller(TEXT)
                .build();
    }

    public ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(SAY, collecting((call, in) -> call.sendMessage("hello " + in.get(0))))
                .addMethod(COUNT_TO, collecting((call, in) -> {
                    for (int i = 1; i <= Integer.parseInt(in.get(0)); i++) {
                        call.sendMessage(Integer.toString(i));
                    }
                }))
                .addMethod(JOIN, collecting((call, in) -> call.sendMessage(String.join(",", in))))
                .addMethod(CHAT, chat())
                .addMethod(FAIL, (call, headers) -> {
                    Metadata trailers = new Metadata();
                    trailers.put(COUNT, "0");
                    call.close(Status.FAILED_PRECONDITION.withDescription(FAILURE), trailers);
                    return new ServerCall.Listener<>() {};
                })
                .addMethod(HOLD, (call, headers) -> {
                    held.incrementAndGet();
                    return new ServerCall.Listener<>() {
                        @Override
                        public void onCancel() {
                            cancelled.incrementAndGet();
                        }
                    };
                })
                .build();
    }

    /** Reads every request message, then answers through {@code reply} and closes OK with a count trailer. */
    private static ServerCallHandler<String, String> collecting(
            BiConsumer<ServerCall<String, String>, List<String>> reply) {
        return (call, headers) -> {
            call.request(Integer.MAX_VALUE);
            List<String> in = new ArrayList<>();
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(String message) {
                    in.add(message);
                }

                @Override
                public void onHalfClose() {
                    call.sendHeaders(new Metadata());
                    reply.accept(call, in);
                    call.close(Status.OK, count(in.size()));
                }
            };
        };
    }

    /** Echoes each message as it arrives; closes when the client does. */
    private static ServerCallHandler<String, String> chat() {
        return (call, headers) -> {
            call.request(Integer.MAX_VALUE);
            call.sendHeaders(new Metadata());
            AtomicInteger seen = new AtomicInteger();
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(String message) {
                    seen.incrementAndGet();
                    call.sendMessage("echo " + message);
                }

                @Override
                public void onHalfClose() {
                    call.close(Status.OK, count(seen.get()));
                }
            };
        };
    }

    private static Metadata count(int n) {
        Metadata trailers = new Metadata();
        trailers.put(COUNT, Integer.toString(n));
        return trailers;
    }
}
