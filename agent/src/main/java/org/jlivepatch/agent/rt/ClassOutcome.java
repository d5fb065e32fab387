package org.jlivepatch.agent.rt;

/**
 * What a command did to one class of a patch in one class loader.
 *
 * @param name binary class name
 * @param loader description of the defining class loader, empty when the class is not loaded
 * @param state {@code applied}, {@code reverted}, {@code pending} (not loaded yet) or
 *     {@code mismatch} (loaded, but not the code the patch was built against; left alone)
 */
record ClassOutcome(String name, String loader, String state) {}
