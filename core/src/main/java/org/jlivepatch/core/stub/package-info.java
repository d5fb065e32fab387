/**
 * Emergency stubs: patches that make one method do nothing but return a value or throw, the JVM
 * analog of Xen's NOP patches, for the time before a real fix exists.
 */
package org.jlivepatch.core.stub;
