/** Replaces chosen method bodies of one class file with those of another, leaving the rest as it was. */
package org.jlivepatch.core.splice;
