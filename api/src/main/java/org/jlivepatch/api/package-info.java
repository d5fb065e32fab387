/**
 * What a patch author compiles against: hooks run in the target around apply and revert. No
 * dependencies; the agent puts these classes on the bootstrap class path so that hook classes in
 * every class loader see the same interfaces.
 */
package org.jlivepatch.api;
