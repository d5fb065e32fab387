package org.jlivepatch.api;

/**
 * A shadow field: a field the patch adds to an existing class. The patch's code reads and writes
 * it like any field; hooks reach it here, for instance to initialise it for objects that existed
 * before the patch (which otherwise read the field's default value) or to migrate state into it.
 * Values are held weakly per object: a shadow field never keeps its object alive.
 */
public interface Shadow {

  /**
   * The value of the field in {@code owner}; for a static field {@code owner} is ignored.
   *
   * @return the value, boxed for primitive fields; the default value if never set
   */
  Object get(Object owner);

  /**
   * Sets the field in {@code owner}; for a static field {@code owner} is ignored.
   *
   * @param value the value, boxed for primitive fields
   */
  void set(Object owner, Object value);
}
