/**
 * The reviewer: normalised method disassembly ({@link org.jlivepatch.core.review.Disassembler}), the
 * review of a patch or of a difference ({@link org.jlivepatch.core.review.Review}), and its rendering
 * as text for a person ({@link org.jlivepatch.core.review.Reviewer}).
 */
package org.jlivepatch.core.review;
