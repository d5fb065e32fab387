package org.jlivepatch.core.classes;

import org.objectweb.asm.ClassReader;

/** Checks that bytes are a class file and tells the class it declares, without parsing it all. */
final class ClassFileCheck {

  private static final int MAGIC = 0xCAFEBABE;

  private ClassFileCheck() {}

  /**
   * Returns the binary name of the class {@code bytes} declares.
   *
   * @param where names the source of the bytes in the exception message
   * @throws IllegalArgumentException if the bytes are not a readable class file
   */
  static String declaredName(byte[] bytes, String where) {
    if (bytes.length < 10
        || ((bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF)) != MAGIC) {
      throw new IllegalArgumentException(where + " is not a class file: no 0xCAFEBABE header");
    }
    try {
      return new ClassReader(bytes).getClassName().replace('/', '.');
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(where + " is not a readable class file: " + e, e);
    }
  }
}
