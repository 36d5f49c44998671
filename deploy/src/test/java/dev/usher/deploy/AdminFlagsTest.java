package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.deploy.admin.DebugAccess;
import dev.usher.routing.AddressBlock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The admin port's flags: who may read the debug views. */
final class AdminFlagsTest {

    private static ControllerConfig config(String... args) {
        CommandLine.ParseResult result = Main.commandLine().parseArgs(args);
        return ((RunCommand) result.subcommand().commandSpec().userObject()).config();
    }

    @Test
    void run_withoutDebugFrom_opensTheDebugViewsToLoopbackOnly() throws Exception {
        DebugAccess access = config("run", "--manifests", "m").debugAccess();

        assertThat(access.blocks()).isEmpty();
        assertThat(access.allows(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(access.allows(InetAddress.getByName("192.0.2.2"))).isFalse();
    }

    @Test
    void run_debugFrom_isRepeatableAndCommaSeparated_andAddsToLoopback() throws Exception {
        DebugAccess access = config(
                        "run", "--manifests", "m", "--debug-from", "10.0.0.0/8,192.0.2.7", "--debug-from", "fd00::/8")
                .debugAccess();

        assertThat(access.blocks())
                .containsExactly(
                        AddressBlock.parse("10.0.0.0/8"),
                        AddressBlock.parse("192.0.2.7/32"),
                        AddressBlock.parse("fd00::/8"));
        assertThat(access.allows(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(access.allows(InetAddress.getByName("10.20.30.40"))).isTrue();
        assertThat(access.allows(InetAddress.getByName("192.0.2.8"))).isFalse();
    }

    @Test
    void run_debugFromWithAHostName_failsWithOneLine() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err, true));

        int code = commandLine.execute("run", "--manifests", "m", "--debug-from", "monitoring.example.com");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--debug-from", "is not an IP address or CIDR block");
        assertThat(List.of(err.toString().split("\n")).get(0)).contains("monitoring.example.com");
    }
}
