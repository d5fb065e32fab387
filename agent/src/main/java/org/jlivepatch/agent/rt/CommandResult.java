package org.jlivepatch.agent.rt;

import java.util.List;

/**
 * A command that completed.
 *
 * @param message one line saying what was done
 * @param patchId the patch acted on, empty for none
 * @param signer key id of its signer, empty for none
 * @param classes per class and loader, what the command did
 */
record CommandResult(String message, String patchId, String signer, List<ClassOutcome> classes) {

  CommandResult {
    classes = List.copyOf(classes);
  }
}
