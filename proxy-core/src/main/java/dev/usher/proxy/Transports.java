package dev.usher.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * The I/O transport's classes: io_uring, epoll or NIO (its UDP channel is for DNS). {@code note} says why
 * {@link Transport#AUTO} fell back to NIO, for the start-up log; empty when it did not.
 */
record Transports(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel,
        String note) {

    /**
     * The transport {@code wanted} names; {@link Transport#AUTO} takes epoll where the platform has it, else NIO.
     *
     * @throws IllegalStateException when io_uring or epoll is asked for by name and the platform does not have it
     */
    static Transports of(Transport wanted) {
        return switch (wanted) {
            case IO_URING -> {
                require("io_uring", IoUring.isAvailable(), IoUring.unavailabilityCause());
                yield ioUring();
            }
            case EPOLL -> {
                require("epoll", Epoll.isAvailable(), Epoll.unavailabilityCause());
                yield epoll();
            }
            case NIO -> nio("");
            case AUTO ->
                Epoll.isAvailable() ? epoll() : nio("epoll not available: " + cause(Epoll.unavailabilityCause()));
        };
    }

    private static void require(String name, boolean available, Throwable cause) {
        if (!available) {
            throw new IllegalStateException(
                    "--transport " + name + ": not available here (" + cause(cause) + ")", cause);
        }
    }

    private static String cause(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    private static Transports ioUring() {
        return new Transports(
                "io_uring",
                IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class,
                IoUringSocketChannel.class,
                IoUringDatagramChannel.class,
                "");
    }

    private static Transports epoll() {
        return new Transports(
                "epoll",
                EpollIoHandler.newFactory(),
                EpollServerSocketChannel.class,
                EpollSocketChannel.class,
                EpollDatagramChannel.class,
                "");
    }

    private static Transports nio(String note) {
        return new Transports(
                "nio",
                NioIoHandler.newFactory(),
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class,
                note);
    }
}
