package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.flow.FlowControlHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link ReadGate} against Netty's {@code FlowControlHandler}: the same random sequences of messages, reads, read
 * completions, auto-read changes, re-entrant reads and messages, removal and close give the same events, in the same
 * order, on both.
 */
final class ReadGateTest {

    @Test
    void behavesAsNettysFlowControlHandler_onRandomSequences() {
        for (int seed = 0; seed < 2_000; seed++) {
            List<String> netty = run(FlowControlHandler::new, seed);
            List<String> gate = run(ReadGate::new, seed);
            assertThat(gate).as("seed %d", seed).isEqualTo(netty);
        }
    }

    @Test
    void aReadWaitingForAMessage_getsItAtOnce_andTheNextWaitsForTheNextRead() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAutoRead(false);
        List<String> log = new ArrayList<>();
        ch.pipeline().addLast(new ReadGate(), new Recorder(log, new Random(0), 0, ch));

        ch.read();
        ch.pipeline().fireChannelRead(message(1));
        ch.pipeline().fireChannelRead(message(2)); // no read waits: held
        assertThat(log).containsExactly("msg 1", "complete");
        ch.read();
        assertThat(log).containsExactly("msg 1", "complete", "msg 2", "complete");
        ch.pipeline().fireChannelRead(message(3));
        assertThat(ch.finishAndReleaseAll()).isFalse(); // message 3, held, is released on close
    }

    /** One random sequence on a channel with {@code handler}; what reached the handler after it, and the head. */
    private static List<String> run(Supplier<ChannelHandler> handler, int seed) {
        Random random = new Random(seed);
        List<String> log = new ArrayList<>();
        List<ByteBuf> sent = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAutoRead(false);
        ChannelHandler underTest = handler.get();
        ch.pipeline().addLast(new HeadReads(log), underTest, new Recorder(log, random, seed, ch));
        int steps = 1 + random.nextInt(40);
        for (int i = 0; i < steps; i++) {
            int op = random.nextInt(100);
            if (op < 40) {
                ByteBuf msg = message(sent.size());
                sent.add(msg);
                ch.pipeline().fireChannelRead(msg);
            } else if (op < 70) {
                ch.read();
            } else if (op < 82) {
                ch.pipeline().fireChannelReadComplete();
            } else if (op < 92) {
                ch.config().setAutoRead(!ch.config().isAutoRead());
            } else if (op < 96) {
                ch.pipeline().remove(underTest); // hands what it holds on, as when an upgrade takes the connection
                break;
            } else {
                ch.close(); // releases what it holds
                break;
            }
        }
        ch.close();
        ch.finishAndReleaseAll();
        for (int id = 0; id < sent.size(); id++) {
            log.add("refCnt " + id + " " + sent.get(id).refCnt());
        }
        return log;
    }

    private static ByteBuf message(int id) {
        return Unpooled.buffer(4).writeInt(id);
    }

    /** Records the {@code read()} calls that pass the handler under test. */
    private static final class HeadReads extends ChannelDuplexHandler {
        private final List<String> log;

        HeadReads(List<String> log) {
            this.log = log;
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            log.add("read passed");
            ctx.read();
        }
    }

    /**
     * Records what reaches it and releases it; sometimes asks for the next message, or makes the decoder side emit
     * another, from inside a message's delivery, as Usher's handlers and decoders do.
     */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final List<String> log;
        private final Random random;
        private final EmbeddedChannel ch;
        private int nested = 1_000_000;

        Recorder(List<String> log, Random random, int seed, EmbeddedChannel ch) {
            this.log = log;
            this.random = new Random(random.nextLong() ^ seed);
            this.ch = ch;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            log.add("msg " + buf.getInt(0));
            buf.release();
            int op = random.nextInt(10);
            if (op < 3) {
                ctx.read(); // asks for the next one while this one is delivered
            } else if (op < 4 && nested < 1_000_010) {
                ch.pipeline().fireChannelRead(message(nested++)); // the decoder had another message in its buffer
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            log.add("complete");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            log.add("inactive");
        }
    }
}
