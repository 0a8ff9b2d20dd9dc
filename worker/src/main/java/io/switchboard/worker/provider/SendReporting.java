package io.switchboard.worker.provider;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.nio.AsyncRequestProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.protocol.HttpContext;

/**
 * A request producer that reports the moment the HTTP client writes the request on a connection
 * (after the client's queue and the connection's setup), once: what the lane's pacer counts a call
 * from, as the provider counts it on arrival.
 */
final class SendReporting implements AsyncRequestProducer {
  private final AsyncRequestProducer delegate;
  private final Runnable onSent;
  private final AtomicBoolean reported = new AtomicBoolean();

  SendReporting(AsyncRequestProducer delegate, Runnable onSent) {
    this.delegate = delegate;
    this.onSent = onSent;
  }

  @Override
  public void sendRequest(RequestChannel channel, HttpContext context)
      throws HttpException, IOException {
    if (reported.compareAndSet(false, true)) {
      onSent.run();
    }
    delegate.sendRequest(channel, context);
  }

  @Override
  public boolean isRepeatable() {
    return delegate.isRepeatable();
  }

  @Override
  public void failed(Exception cause) {
    delegate.failed(cause);
  }

  @Override
  public int available() {
    return delegate.available();
  }

  @Override
  public void produce(DataStreamChannel channel) throws IOException {
    delegate.produce(channel);
  }

  @Override
  public void releaseResources() {
    delegate.releaseResources();
  }
}
