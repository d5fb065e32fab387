package org.jlivepatch.core.model;

/**
 * A difference a patch cannot deliver safely.
 *
 * @param className binary class name
 * @param member the member concerned, e.g. {@code field count:I}, {@code method parse(I)V},
 *     {@code superclass}; empty for the class as a whole
 * @param reason what is wrong and the way out (trampoline, shadow field, hook, restart)
 */
public record Refusal(String className, String member, String reason) {}
