package org.jlivepatch.core.diff;

import org.jlivepatch.core.model.ChangeKind;

/**
 * A method whose behaviour differs between the old and new classes and that the patch changes.
 *
 * @param className binary class name
 * @param method method name
 * @param descriptor method descriptor
 * @param kind how the change is switched in
 */
public record ChangedMethod(String className, String method, String descriptor, ChangeKind kind) {}
