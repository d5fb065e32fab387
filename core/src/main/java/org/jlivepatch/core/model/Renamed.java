package org.jlivepatch.core.model;

/**
 * A synthetic member or class the compiler renumbered between the two builds, matched by content.
 *
 * @param className binary name of the class holding the member (for classes: the outer class)
 * @param kind {@code lambda}, {@code anonymous class} or {@code accessor}
 * @param oldName the name in the old build, which the patch keeps; for a synthetic the fix adds
 *     whose new-build name the old build gives to another member, the fresh name the patch gives it
 * @param newName the name in the new build
 */
public record Renamed(String className, String kind, String oldName, String newName) {}
