package io.switchboard.worker.provider;

import io.switchboard.schemas.config.DeploymentConfig;
import java.net.URI;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Where a deployment's calls go, split as HttpClient splits a URI (which it would otherwise do on
 * every call, building strings each time).
 */
record Endpoint(DeploymentConfig deployment, String scheme, URIAuthority authority, String path) {
  static Endpoint of(DeploymentConfig deployment, URI uri) {
    SimpleRequestBuilder split = SimpleRequestBuilder.post(uri);
    return new Endpoint(deployment, split.getScheme(), split.getAuthority(), split.getPath());
  }

  /** A POST to this endpoint. */
  SimpleRequestBuilder post() {
    return SimpleRequestBuilder.post().setScheme(scheme).setAuthority(authority).setPath(path);
  }
}
