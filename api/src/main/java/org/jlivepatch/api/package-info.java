/**
 * What a patch author compiles against: hooks run in the target around apply and revert. No
 * dependencies. The agent puts these classes on the bootstrap class path when the first patch
 * with hooks arrives (never for a patch without hooks), and every hook class sees the same copy.
 */
package org.jlivepatch.api;
