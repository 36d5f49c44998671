package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The system properties the executable sets before anything reads them: a value given on the command line wins. */
final class MainPropertiesTest {

    private static final String NAME = "usher.test.main-properties";

    @AfterEach
    void clear() {
        System.clearProperty(NAME);
    }

    @Test
    void setUnlessGiven_setsAnAbsentProperty() {
        Main.setUnlessGiven(NAME, "false");

        assertThat(System.getProperty(NAME)).isEqualTo("false");
    }

    @Test
    void setUnlessGiven_keepsTheOperatorsValue() {
        System.setProperty(NAME, "true"); // -Dio.netty.allocator.lowMemory=true on the command line

        Main.setUnlessGiven(NAME, "false");

        assertThat(System.getProperty(NAME)).isEqualTo("true");
    }
}
