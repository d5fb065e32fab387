/**
 * Sets of compiled classes as read from jars, fat jars, wars or directories: the input of the
 * differ. Streams and byte arrays only; no file-system assumptions.
 */
package org.jlivepatch.core.classes;
