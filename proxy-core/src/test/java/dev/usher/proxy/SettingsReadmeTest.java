package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The settings table in proxy-core/README.md lists every {@link ProxySettings} component, once, and no other. */
final class SettingsReadmeTest {

    private static final String HEADING = "## Settings and their defaults";

    @Test
    void readmeSettingsTable_listsEveryRecordComponentOnce() throws IOException {
        List<String> components = Arrays.stream(ProxySettings.class.getRecordComponents())
                .map(RecordComponent::getName)
                .toList();

        List<String> documented = settingsTable(Files.readAllLines(Path.of("README.md")));

        assertThat(documented).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(components);
    }

    /** The first cell, without backticks, of each body row of the table under {@link #HEADING}. */
    private static List<String> settingsTable(List<String> lines) {
        List<String> names = new ArrayList<>();
        int i = 0;
        while (i < lines.size() && !lines.get(i).startsWith(HEADING)) {
            i++;
        }
        assertThat(i).as("README.md has the heading '" + HEADING + "'").isLessThan(lines.size());
        while (i < lines.size() && !lines.get(i).startsWith("|")) {
            i++;
        }
        i += 2; // the header row and the |---| row
        for (; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            String first = lines.get(i).split("\\|")[1].trim();
            names.add(first.replace("`", ""));
        }
        return names;
    }
}
