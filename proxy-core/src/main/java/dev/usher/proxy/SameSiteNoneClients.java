package dev.usher.proxy;

import org.jspecify.annotations.Nullable;

/**
 * User agents that reject or misread {@code SameSite=None} (Chromium's list of known incompatible clients, which
 * ingress-nginx's {@code session-cookie-conditional-samesite-none} follows): Chrome and Chromium 51-66 and UC Browser
 * before 12.13.2 drop such a cookie; every browser on iOS 12, and Safari and embedded browsers on macOS 10.14, treat it
 * as {@code Strict}.
 *
 * <p>The {@code User-Agent} is the client's to choose and may be as long as the header limit allows, so it is read
 * with plain searches and digit scans (linear in its length), never a backtracking regular expression.
 */
final class SameSiteNoneClients {

    private SameSiteNoneClients() {}

    /** Whether a {@code SameSite=None} cookie should be sent without that attribute to this user agent. */
    static boolean rejectsNone(@Nullable String userAgent) {
        if (userAgent == null) {
            return false;
        }
        return ios12(userAgent) || safariOnMacOs1014(userAgent) || dropsUnknownSameSite(userAgent);
    }

    private static boolean ios12(String ua) {
        int device = ua.indexOf("(iP");
        int cpu = device < 0 ? -1 : ua.indexOf("; CPU ", device);
        int os = cpu < 0 ? -1 : ua.indexOf("OS ", cpu);
        return os >= 0 && number(ua, os + 3) == 12 && ua.indexOf(") AppleWebKit/", os) >= 0;
    }

    private static boolean safariOnMacOs1014(String ua) {
        int mac = ua.indexOf("(Macintosh;");
        int version = mac < 0 ? -1 : ua.indexOf("Mac OS X ", mac);
        if (version < 0 || number(ua, version + 9) != 10) {
            return false;
        }
        int minor = version + 9 + 2;
        if (minor >= ua.length() || ua.charAt(minor) != '_' || number(ua, minor + 1) != 14) {
            return false;
        }
        if (ua.indexOf(") AppleWebKit/", version) < 0) {
            return false;
        }
        boolean safari = !chromium(ua) && ua.indexOf("Version/") >= 0 && ua.indexOf(" Safari/") >= 0;
        boolean embedded = ua.startsWith("Mozilla/") && ua.endsWith("(KHTML, like Gecko)");
        return safari || embedded;
    }

    private static boolean dropsUnknownSameSite(String ua) {
        int uc = ua.indexOf("UCBrowser/");
        if (uc >= 0) {
            int at = uc + "UCBrowser/".length();
            int major = number(ua, at);
            int minorAt = skipDigits(ua, at);
            int minor = minorAt < ua.length() && ua.charAt(minorAt) == '.' ? number(ua, minorAt + 1) : -1;
            int buildAt = minor < 0 ? -1 : skipDigits(ua, minorAt + 1);
            int build =
                    buildAt >= 0 && buildAt < ua.length() && ua.charAt(buildAt) == '.' ? number(ua, buildAt + 1) : -1;
            return major >= 0 && minor >= 0 && build >= 0 && compare(major, minor, build, 12, 13, 2) < 0;
        }
        int chrome = ua.indexOf("Chrome/");
        int at = chrome >= 0 ? chrome + "Chrome/".length() : ua.indexOf("Chromium/");
        if (chrome < 0 && at >= 0) {
            at += "Chromium/".length();
        }
        int major = at < 0 ? -1 : number(ua, at);
        return major >= 51 && major <= 66;
    }

    private static boolean chromium(String ua) {
        return ua.indexOf("Chrome") >= 0 || ua.indexOf("Chromium") >= 0;
    }

    private static int compare(int a1, int b1, int c1, int a2, int b2, int c2) {
        return a1 != a2 ? Integer.compare(a1, a2) : b1 != b2 ? Integer.compare(b1, b2) : Integer.compare(c1, c2);
    }

    /** The decimal number of at most 6 digits at {@code at}, or -1 when there is none. */
    private static int number(String s, int at) {
        int end = skipDigits(s, at);
        if (end == at || end - at > 6) {
            return -1;
        }
        return Integer.parseInt(s, at, end, 10);
    }

    private static int skipDigits(String s, int at) {
        int i = at;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i;
    }
}
