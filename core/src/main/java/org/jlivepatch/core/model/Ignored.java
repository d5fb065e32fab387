package org.jlivepatch.core.model;

/**
 * A difference between the old and new classes that the patch leaves out, and why.
 *
 * @param className binary class name
 * @param method method name, or empty when the whole class is meant
 * @param descriptor method descriptor, or empty when the whole class is meant
 * @param reason why the difference does not need patching, e.g. "line numbers only"
 */
public record Ignored(String className, String method, String descriptor, String reason) {}
