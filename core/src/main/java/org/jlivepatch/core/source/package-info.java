/**
 * Builds a patch from a vendor's deployed classes, their sources and a source fix: the fix is
 * applied to the sources in memory, the touched files are compiled twice (original and patched)
 * with the same javac and options, and the methods the fix changes are spliced into the vendor's
 * own class bytes.
 */
package org.jlivepatch.core.source;
