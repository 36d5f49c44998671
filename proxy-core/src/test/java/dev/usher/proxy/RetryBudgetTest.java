package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The budget's arithmetic on a clock the test moves (the socket-level proof is in RetryPolicyTest). */
class RetryBudgetTest {

    private static final long SECOND = 1_000_000_000L;

    private static int retriesAllowed(RetryBudget budget, long now, int attempts) {
        int allowed = 0;
        for (int i = 0; i < attempts; i++) {
            if (budget.tryRetry(now)) {
                allowed++;
            }
        }
        return allowed;
    }

    @Test
    void aQuietBackend_getsTheMinimum_andNoMore() {
        RetryBudget budget = new RetryBudget(20, 1); // 1 a second: 10 in a 10 s window

        budget.request(0);
        assertThat(retriesAllowed(budget, 0, 50)).isEqualTo(10);
    }

    @Test
    void aBusyBackend_getsItsShareOfRequests() {
        RetryBudget budget = new RetryBudget(20, 0);
        for (int i = 0; i < 1000; i++) {
            budget.request(0);
        }

        assertThat(retriesAllowed(budget, 0, 1000)).isEqualTo(200);
    }

    @Test
    void thePreviousWindow_fadesOutInsteadOfResettingAtOnce() {
        RetryBudget budget = new RetryBudget(20, 0);
        for (int i = 0; i < 1000; i++) {
            budget.request(0);
        }
        assertThat(retriesAllowed(budget, 0, 200)).isEqualTo(200);

        // Half-way through the next window, half of the last one still counts: 100 requests' worth, 100 retries'
        // worth, so the budget is spent until new requests come.
        assertThat(retriesAllowed(budget, 15 * SECOND, 10)).isZero();
        for (int i = 0; i < 100; i++) {
            budget.request(15 * SECOND);
        }
        assertThat(retriesAllowed(budget, 15 * SECOND, 100)).isEqualTo(20);

        // Two windows of silence: nothing of the past counts.
        for (int i = 0; i < 10; i++) {
            budget.request(60 * SECOND);
        }
        assertThat(retriesAllowed(budget, 60 * SECOND, 100)).isEqualTo(2);
    }
}
