package dev.usher.proxy;

import static dev.usher.proxy.ExchangeState.AWAITING_RESPONSE;
import static dev.usher.proxy.ExchangeState.BUFFERING;
import static dev.usher.proxy.ExchangeState.CLIENT_GONE;
import static dev.usher.proxy.ExchangeState.COMPLETE;
import static dev.usher.proxy.ExchangeState.CONNECTING;
import static dev.usher.proxy.ExchangeState.FAILED;
import static dev.usher.proxy.ExchangeState.RELAYING;
import static dev.usher.proxy.ExchangeState.SENDING;
import static dev.usher.proxy.ExchangeState.UPGRADED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class ExchangeStateTest {

    @Test
    void noTerminalStateMovesAgain() {
        for (ExchangeState end : EnumSet.of(COMPLETE, FAILED, CLIENT_GONE, UPGRADED)) {
            assertThat(end.terminal()).isTrue();
            for (ExchangeState next : ExchangeState.values()) {
                assertThat(end.canMoveTo(next)).as(end + " -> " + next).isFalse();
            }
        }
    }

    @Test
    void aRetryIsPossibleOnlyBeforeTheResponseStarted() {
        assertThat(SENDING.canMoveTo(CONNECTING)).isTrue();
        assertThat(AWAITING_RESPONSE.canMoveTo(CONNECTING)).isTrue();
        assertThat(CONNECTING.canMoveTo(CONNECTING)).isTrue();
        assertThat(RELAYING.canMoveTo(CONNECTING)).isFalse();
        assertThat(RELAYING.beforeResponse()).isFalse();
        assertThat(EnumSet.of(BUFFERING, CONNECTING, SENDING, AWAITING_RESPONSE))
                .allMatch(ExchangeState::beforeResponse);
    }

    @Test
    void theResponseStartsOnlyOnALiveConnection_andCompletesOnlyAfterItStarted() {
        assertThat(BUFFERING.canMoveTo(RELAYING)).isFalse();
        assertThat(CONNECTING.canMoveTo(RELAYING)).isFalse();
        assertThat(SENDING.canMoveTo(RELAYING)).isTrue(); // an origin may answer before the body's end
        assertThat(AWAITING_RESPONSE.canMoveTo(COMPLETE)).isFalse();
        assertThat(RELAYING.canMoveTo(COMPLETE)).isTrue();
        assertThat(RELAYING.canMoveTo(UPGRADED)).isFalse();
    }

    @Test
    void everyLiveStateCanFailOrLoseItsClient() {
        for (ExchangeState live : EnumSet.of(BUFFERING, CONNECTING, SENDING, AWAITING_RESPONSE, RELAYING)) {
            assertThat(live.canMoveTo(FAILED)).isTrue();
            assertThat(live.canMoveTo(CLIENT_GONE)).isTrue();
        }
    }
}
