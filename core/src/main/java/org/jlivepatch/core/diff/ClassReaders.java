package org.jlivepatch.core.diff;

import java.util.IdentityHashMap;
import java.util.Map;
import org.objectweb.asm.ClassReader;

/**
 * Readers of class files that the differ reads twice: once for their member tables alone, then in
 * full. A reader indexes its constant pool when made and keeps the strings it decoded, so the
 * second read reuses both. Bounded, since every reader held keeps its index and strings alive.
 */
final class ClassReaders {

  /** Readers held at most; past it, a class file is indexed again when read in full. */
  static final int LIMIT = 8192;

  private final Map<byte[], ClassReader> readers = new IdentityHashMap<>();

  /** A reader of {@code classFile}, kept for {@link #take} while fewer than {@link #LIMIT} are. */
  ClassReader keep(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    if (readers.size() < LIMIT) {
      readers.put(classFile, reader);
    }
    return reader;
  }

  /** The reader kept for {@code classFile}, no longer kept, or a new one. */
  ClassReader take(byte[] classFile) {
    ClassReader reader = readers.remove(classFile);
    return reader != null ? reader : new ClassReader(classFile);
  }
}
