package dev.usher.proxy;

import java.util.List;

/**
 * An exchange as its {@link ExchangeTimers} see it, for timer tests: each callback writes its name ({@code response},
 * {@code client}, {@code origin}, {@code deadline}) with a prefix into a list the test reads, and the waiting states
 * are fields the test sets.
 */
class RecordingTimerOwner implements ExchangeTimers.Owner {

    private final List<String> fired;
    private final String prefix;
    boolean clientOwesBody;
    boolean clientNotReading;
    boolean originNotReading;

    /** @param prefix written before each callback's name: "" or, with several exchanges, "a:" */
    RecordingTimerOwner(List<String> fired, String prefix) {
        this.fired = fired;
        this.prefix = prefix;
    }

    @Override
    public void responseTimedOut() {
        fired.add(prefix + "response");
    }

    @Override
    public boolean waitingOnClientBody() {
        return clientOwesBody;
    }

    @Override
    public boolean waitingOnClientRead() {
        return clientNotReading;
    }

    @Override
    public void clientStalled() {
        fired.add(prefix + "client");
    }

    @Override
    public boolean waitingOnOrigin() {
        return originNotReading;
    }

    @Override
    public void originStalled() {
        fired.add(prefix + "origin");
    }

    @Override
    public void deadlinePassed() {
        fired.add(prefix + "deadline");
    }
}
