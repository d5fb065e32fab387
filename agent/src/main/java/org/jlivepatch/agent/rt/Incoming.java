package org.jlivepatch.agent.rt;

import org.jlivepatch.core.model.Patch;

/**
 * A payload that passed check 1: decoded, within limits, and signed by a trusted key when trust
 * is configured.
 *
 * @param patch the patch
 * @param contentHash the payload's content hash
 * @param signer key id of the verified signer; empty when no trusted keys are configured
 * @param source where the payload came from, for messages
 */
record Incoming(Patch patch, String contentHash, String signer, String source) {}
