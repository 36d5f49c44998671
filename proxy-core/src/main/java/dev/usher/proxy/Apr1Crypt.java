package dev.usher.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Apache's {@code $apr1$} MD5 password hash (htpasswd {@code -m}, the default of {@code htpasswd} before 2.4): the
 * FreeBSD MD5-crypt algorithm with the magic {@code $apr1$}, 1000 rounds. Written from the algorithm's description.
 */
final class Apr1Crypt {

    static final String MAGIC = "$apr1$";
    private static final String ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Apr1Crypt() {}

    /** Whether {@code password} hashes to {@code stored} ({@code $apr1$salt$hash}); compared in constant time. */
    static boolean matches(String stored, byte[] password) {
        if (!stored.startsWith(MAGIC)) {
            return false;
        }
        int end = stored.indexOf('$', MAGIC.length());
        if (end < 0) {
            return false;
        }
        String salt = stored.substring(MAGIC.length(), Math.min(end, MAGIC.length() + 8));
        byte[] computed = hash(password, salt).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(computed, stored.getBytes(StandardCharsets.US_ASCII));
    }

    /** {@code $apr1$<salt>$<22 characters>} for {@code password} and a salt of up to 8 characters. */
    static String hash(byte[] password, String salt) {
        byte[] saltBytes = salt.getBytes(StandardCharsets.US_ASCII);
        byte[] magic = MAGIC.getBytes(StandardCharsets.US_ASCII);
        MessageDigest main = md5();
        main.update(password);
        main.update(magic);
        main.update(saltBytes);
        MessageDigest alt = md5();
        alt.update(password);
        alt.update(saltBytes);
        alt.update(password);
        byte[] altSum = alt.digest();
        for (int left = password.length; left > 0; left -= 16) {
            main.update(altSum, 0, Math.min(16, left));
        }
        for (int i = password.length; i != 0; i >>>= 1) {
            if ((i & 1) != 0) {
                main.update((byte) 0);
            } else {
                main.update(password, 0, password.length == 0 ? 0 : 1);
            }
        }
        byte[] sum = main.digest();
        for (int round = 0; round < 1000; round++) {
            MessageDigest step = md5();
            if ((round & 1) != 0) {
                step.update(password);
            } else {
                step.update(sum);
            }
            if (round % 3 != 0) {
                step.update(saltBytes);
            }
            if (round % 7 != 0) {
                step.update(password);
            }
            if ((round & 1) != 0) {
                step.update(sum);
            } else {
                step.update(password);
            }
            sum = step.digest();
        }
        StringBuilder out = new StringBuilder(MAGIC).append(salt).append('$');
        encode(out, sum[0], sum[6], sum[12], 4);
        encode(out, sum[1], sum[7], sum[13], 4);
        encode(out, sum[2], sum[8], sum[14], 4);
        encode(out, sum[3], sum[9], sum[15], 4);
        encode(out, sum[4], sum[10], sum[5], 4);
        encode(out, (byte) 0, (byte) 0, sum[11], 2);
        return out.toString();
    }

    private static void encode(StringBuilder out, byte b2, byte b1, byte b0, int chars) {
        int v = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
        for (int i = 0; i < chars; i++) {
            out.append(ITOA64.charAt(v & 0x3f));
            v >>>= 6;
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }
}
