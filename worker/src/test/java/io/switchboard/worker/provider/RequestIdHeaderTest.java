package io.switchboard.worker.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http2.hpack.HPackEncoder;
import org.apache.hc.core5.util.ByteArrayBuffer;
import org.junit.jupiter.api.Test;

/** The request id header over HTTP/2: a value new on every call stays out of the header table. */
class RequestIdHeaderTest {
  @Test
  void isSentAsALiteralNeverIndexedAndLeavesTheHeaderTableAsItWas() throws Exception {
    HPackEncoder encoder = new HPackEncoder(4096, StandardCharsets.US_ASCII);
    ByteArrayBuffer repeated = new ByteArrayBuffer(64);
    Header repeatedHeader = new BasicHeader("x-repeated", "same");
    encoder.encodeHeader(repeated, repeatedHeader);

    for (int i = 0; i < 100; i++) {
      ByteArrayBuffer out = new ByteArrayBuffer(64);
      Header header = HttpProviderClient.requestIdHeader("request-" + i);
      assertThat(header.getName()).isEqualTo(HttpProviderClient.REQUEST_ID_HEADER);
      encoder.encodeHeader(out, header);
      // RFC 7541 6.2.3: a literal header field never indexed starts with the bits 0001
      assertThat(out.byteAt(0) & 0xF0).as("call %d", i).isEqualTo(0x10);
    }

    ByteArrayBuffer again = new ByteArrayBuffer(64);
    encoder.encodeHeader(again, repeatedHeader);
    // still in the 4 KiB table after 100 request ids (indexed, they would have evicted it): encoded
    // as one index byte (1xxxxxxx)
    assertThat(again.length()).isEqualTo(1);
    assertThat(again.byteAt(0) & 0x80).isEqualTo(0x80);
  }
}
