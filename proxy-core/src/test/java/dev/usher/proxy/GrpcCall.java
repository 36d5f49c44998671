package dev.usher.proxy;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One grpc-java client call (no stub code generated): what arrived, in order, and how it ended. */
public final class GrpcCall {

    public final List<String> messages = new CopyOnWriteArrayList<>();
    final CompletableFuture<Metadata> trailers = new CompletableFuture<>();
    private final CompletableFuture<Status> status = new CompletableFuture<>();
    private final ClientCall<String, String> call;

    GrpcCall(Channel channel, MethodDescriptor<String, String> method, CallOptions options) {
        call = channel.newCall(method, options);
        call.start(
                new ClientCall.Listener<>() {
                    @Override
                    public void onMessage(String message) {
                        messages.add(message);
                    }

                    @Override
                    public void onClose(Status closed, Metadata received) {
                        trailers.complete(received);
                        status.complete(closed);
                    }
                },
                new Metadata());
        call.request(Integer.MAX_VALUE);
    }

    GrpcCall(Channel channel, MethodDescriptor<String, String> method) {
        this(channel, method, CallOptions.DEFAULT);
    }

    GrpcCall send(String message) {
        call.sendMessage(message);
        return this;
    }

    GrpcCall halfClose() {
        call.halfClose();
        return this;
    }

    /** The call's final status (waits for it, bounded). */
    public Status status() throws InterruptedException, ExecutionException, TimeoutException {
        return status.get(20, TimeUnit.SECONDS);
    }

    /** A unary call: one message, half-close, the status. */
    public static GrpcCall unary(Channel channel, MethodDescriptor<String, String> method, String message) {
        return new GrpcCall(channel, method).send(message).halfClose();
    }
}
