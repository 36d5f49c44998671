package dev.usher.proxy;

import dev.usher.tls.JdkTlsClient;
import java.nio.ByteBuffer;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** Real TLS ClientHellos for tests that speak raw TCP to the HTTPS listener (TLS passthrough). */
final class ClientHellos {

    private ClientHellos() {}

    /** The first flight of the JDK's TLS client for server name {@code host}: one ClientHello record. */
    static byte[] naming(String host) throws Exception {
        SSLEngine engine = JdkTlsClient.trustAllContext().createSSLEngine(host, 443);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(host)));
        engine.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }
}
