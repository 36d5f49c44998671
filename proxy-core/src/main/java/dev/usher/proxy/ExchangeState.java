package dev.usher.proxy;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where an {@link Exchange} is in its life; {@link #canMoveTo} is the whole transition table, and the exchange refuses
 * any other move.
 *
 * <pre>
 *   BUFFERING         → CONNECTING
 *   CONNECTING        → CONNECTING (the next endpoint), SENDING, AWAITING_RESPONSE
 *   SENDING           → AWAITING_RESPONSE, RELAYING (an early answer), CONNECTING (a retry), UPGRADED
 *   AWAITING_RESPONSE → RELAYING, CONNECTING (a retry), UPGRADED
 *   RELAYING          → COMPLETE
 *   every live state  → FAILED, CLIENT_GONE
 * </pre>
 *
 * A request body may still stream to the origin while the response is relayed (an origin may answer early), so
 * whether the client's request was read to its end is tracked beside the state ({@link RequestRelay#complete()}).
 */
enum ExchangeState {
    /** Reading the whole request body into a {@link BufferedBody}; no origin connection yet. */
    BUFFERING,
    /** Waiting for an origin connection of the current attempt (pooled or being connected). */
    CONNECTING,
    /** The head went to the origin; the client's body is still being read and streamed. */
    SENDING,
    /** The client's request was read to its end and handed to the origin; no final response head yet. */
    AWAITING_RESPONSE,
    /** A final response head went to the client: from now on a failure can only close the client connection. */
    RELAYING,
    /** The last response byte was handed to the client. */
    COMPLETE,
    /** Usher answered with its own error, or closed the client connection because the response had started. */
    FAILED,
    /** The client connection closed first. */
    CLIENT_GONE,
    /** A 101 turned both connections into a tunnel. */
    UPGRADED;

    private static final Set<ExchangeState> ENDINGS = EnumSet.of(FAILED, CLIENT_GONE);

    boolean terminal() {
        return this == COMPLETE || this == FAILED || this == CLIENT_GONE || this == UPGRADED;
    }

    /** Whether no final response head reached the client yet, so Usher may still answer, or try again. */
    boolean beforeResponse() {
        return this == CONNECTING || this == SENDING || this == AWAITING_RESPONSE || this == BUFFERING;
    }

    boolean canMoveTo(ExchangeState next) {
        if (terminal()) {
            return false;
        }
        if (ENDINGS.contains(next)) {
            return true;
        }
        return switch (this) {
            case BUFFERING -> next == CONNECTING;
            case CONNECTING -> next == CONNECTING || next == SENDING || next == AWAITING_RESPONSE;
            case SENDING -> next == AWAITING_RESPONSE || next == RELAYING || next == CONNECTING || next == UPGRADED;
            case AWAITING_RESPONSE -> next == RELAYING || next == CONNECTING || next == UPGRADED;
            case RELAYING -> next == COMPLETE;
            default -> false;
        };
    }
}
