/**
 * Byte-code generation for trampolines: the per-package bridge class whose {@code link} method
 * bootstraps every call site the patch code uses, the hidden nestmate class that holds new method
 * bodies and added methods, the steady form of a patched class (in-place bodies and entry
 * redirects), its gated form (a per-thread choice between the current body and the new one) and
 * the logical class a patch describes. Pure functions over class-file bytes: no threads, no I/O,
 * no class loading. The one exception, {@link org.jlivepatch.core.trampoline.HostAccess}, runs in
 * the target: it resolves the hidden class's {@code host} call sites with the patched class's
 * access.
 */
package org.jlivepatch.core.trampoline;
