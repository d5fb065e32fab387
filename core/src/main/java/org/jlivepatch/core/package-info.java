/**
 * jlivepatch core: the patch model, the class-file differ and classifier, the payload codec and
 * signatures, and the reviewer. APIs take byte arrays and streams; nothing here starts threads,
 * processes or touches the file system.
 */
package org.jlivepatch.core;
