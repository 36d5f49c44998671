package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class StartupCollectionTest {

    @Test
    void collectsOnTheFirstCallOnly() {
        AtomicInteger collections = new AtomicInteger();
        StartupCollection collection = new StartupCollection(collections::incrementAndGet);

        assertThat(collection.ran()).isFalse();
        collection.runOnce();
        collection.runOnce();

        assertThat(collections).hasValue(1);
        assertThat(collection.ran()).isTrue();
    }

    @Test
    void probesAndTheStartRacing_collectOnce() throws InterruptedException {
        AtomicInteger collections = new AtomicInteger();
        StartupCollection collection = new StartupCollection(collections::incrementAndGet);
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread thread = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                collection.runOnce();
            });
            thread.start();
            threads.add(thread);
        }
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(collections).hasValue(1);
    }
}
