package dev.usher.benchmarks.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of a Linux process, from {@code /proc/<pid>/stat} and {@code /proc/<pid>/status}.
 *
 * <p>CPU is {@code utime + stime} (fields 14 and 15 of {@code stat}, counted from 1) over every thread of the
 * process; the unit is the clock tick, {@code getconf CLK_TCK}, which is 100 on every Linux we run on.
 */
public final class ProcStats {

    /** Clock ticks per second of the {@code stat} CPU fields. */
    static final long CLOCK_TICKS = 100;

    private ProcStats() {}

    /** CPU seconds (user + system) the process has used so far. */
    public static double cpuSeconds(long pid) {
        return cpuSecondsOf(read(Path.of("/proc", Long.toString(pid), "stat")));
    }

    /** CPU seconds of the process and of its children it has waited for (a finished wrk, say). */
    public static double cpuSecondsWithChildren(long pid) {
        return cpuSecondsOf(read(Path.of("/proc", Long.toString(pid), "stat")), true);
    }

    /**
     * CPU seconds the whole machine has been busy so far: the first line of {@code /proc/stat} (user, nice, system,
     * irq, softirq and steal ticks of every CPU; idle and iowait are not busy).
     */
    public static double machineBusySeconds() {
        return machineBusySecondsOf(read(Path.of("/proc/stat")));
    }

    static double machineBusySecondsOf(String procStat) {
        String first = procStat.substring(0, procStat.indexOf('\n') < 0 ? procStat.length() : procStat.indexOf('\n'));
        String[] fields = first.trim().split(" +");
        if (!fields[0].equals("cpu") || fields.length < 9) {
            throw new IllegalArgumentException("not the cpu line of /proc/stat: " + first);
        }
        long busy = 0;
        for (int i : new int[] {1, 2, 3, 6, 7, 8}) { // user nice system [idle iowait] irq softirq steal
            busy += Long.parseLong(fields[i]);
        }
        return busy / (double) CLOCK_TICKS;
    }

    /** Peak resident set size in bytes ({@code VmHWM}). */
    public static long peakRssBytes(long pid) {
        return statusKib(read(Path.of("/proc", Long.toString(pid), "status")), "VmHWM") * 1024;
    }

    /** Current resident set size in bytes ({@code VmRSS}). */
    public static long rssBytes(long pid) {
        return statusKib(read(Path.of("/proc", Long.toString(pid), "status")), "VmRSS") * 1024;
    }

    /** Parses a {@code stat} line; the command name (field 2) may hold spaces and parentheses, so skip to the last ')'. */
    static double cpuSecondsOf(String stat) {
        return cpuSecondsOf(stat, false);
    }

    static double cpuSecondsOf(String stat, boolean withChildren) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
        }
        String[] fields = stat.substring(close + 2).trim().split(" +");
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        long utime = Long.parseLong(fields[14 - 3]);
        long stime = Long.parseLong(fields[15 - 3]);
        long children = withChildren ? Long.parseLong(fields[16 - 3]) + Long.parseLong(fields[17 - 3]) : 0;
        return (utime + stime + children) / (double) CLOCK_TICKS;
    }

    /** The kB value of one {@code Name:   123 kB} line of a {@code status} file. */
    static long statusKib(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String value = line.substring(name.length() + 1).trim();
                int space = value.indexOf(' ');
                return Long.parseLong(space < 0 ? value : value.substring(0, space));
            }
        }
        throw new IllegalArgumentException("no " + name + " line in the status file");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " (is the process still running?)", e);
        }
    }
}
