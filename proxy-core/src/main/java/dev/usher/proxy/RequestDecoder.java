package dev.usher.proxy;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's request decoder with the request-smuggling shapes turned into decode failures.
 *
 * <p>RFC 9112 §6.3: a message with both {@code Transfer-Encoding} and {@code Content-Length} "ought to be handled
 * as an error"; Netty's default drops the {@code Content-Length} and carries on, which lets a front and a back end
 * disagree on where a request ends. We fail the message instead, and the handler answers 400 and closes. Duplicate
 * {@code Content-Length} values are refused by Netty itself ({@code allowDuplicateContentLengths=false}), as are
 * invalid lengths and chunk sizes; {@code Transfer-Encoding} whose last coding is not {@code chunked} is checked in
 * {@link Requests#check}.
 */
final class RequestDecoder extends HttpRequestDecoder {

    RequestDecoder(ProxySettings settings) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setValidateHeaders(true)
                .setTrailersFactory(TrailerHeaders.FACTORY)
                .setStrictLineParsing(true));
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("both Transfer-Encoding and Content-Length");
    }
}
