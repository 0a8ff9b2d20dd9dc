/**
 * Request envelopes in the shapes of other gateways (Keywords AI, orq.ai, Portkey), turned into the
 * native envelope before it is validated: {@link io.switchboard.schemas.request.RequestShapes}.
 */
package io.switchboard.schemas.request;
