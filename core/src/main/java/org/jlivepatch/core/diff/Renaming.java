package org.jlivepatch.core.diff;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;
import org.objectweb.asm.tree.ClassNode;

/**
 * Renames synthetic classes and methods of the new build to the names they have in the old one,
 * so that their users compare equal and the new bytes can be redefined over the running classes
 * (redefinition cannot rename a method or a class).
 *
 * <p>A new synthetic that matched nothing but whose name the old build gives to another member is
 * renamed out of the way to a fresh number (e.g. {@code lambda$run$7}), so it cannot pass for that
 * member: the fix adds it, under that name.
 */
final class Renaming {

  private static final int CONSTANT_UTF8 = 1;

  /** Internal class names: new build to old build. */
  private final Map<String, String> classes = new HashMap<>();
  /** New internal owner name, then method name followed by descriptor, to the old method name. */
  private final Map<String, Map<String, String>> methods = new HashMap<>();

  /** Top-level names of the nests the renames touch. */
  private final Set<String> nests = new HashSet<>();

  /** The renamed class names and method names in modified UTF-8; null after a rename is added. */
  private List<byte[]> encodedClassNames;
  private List<byte[]> encodedMethodNames;

  void renameClass(String newInternalName, String oldInternalName) {
    classes.put(newInternalName, oldInternalName);
    encodedClassNames = null;
    nests.add(SyntheticNames.topLevel(newInternalName));
  }

  void renameMethod(String newOwner, String newName, String newDescriptor, String oldName) {
    methods.computeIfAbsent(newOwner, o -> new HashMap<>()).put(newName + newDescriptor, oldName);
    encodedClassNames = null;
    nests.add(SyntheticNames.topLevel(newOwner));
  }

  boolean isEmpty() {
    return classes.isEmpty() && methods.isEmpty();
  }

  /** The old-build internal name of a new-build class. */
  String className(String newInternalName) {
    return classes.getOrDefault(newInternalName, newInternalName);
  }

  /** Whether this renaming touches anything in classes of this nest (by {@link SyntheticNames#topLevel}). */
  boolean touchesNest(String topLevelInternalName) {
    return nests.contains(topLevelInternalName);
  }

  /**
   * Whether a class file may refer to something this renaming renames: a constant-pool string
   * that holds a renamed class name or equals a renamed method name. A class that does not is left
   * as it is, since rewriting it would change no name, only its constant-pool order.
   */
  boolean mayApplyTo(byte[] classFile) {
    if (encodedClassNames == null) {
      encodedClassNames = encoded(classes.keySet());
      Set<String> methodNames = new HashSet<>();
      methods.values().forEach(owned -> owned.keySet().forEach(key -> methodNames.add(key.substring(0, key.indexOf('(')))));
      encodedMethodNames = encoded(methodNames);
    }
    List<byte[]> classNames = encodedClassNames;
    List<byte[]> exactNames = encodedMethodNames;
    ClassReader reader = new ClassReader(classFile);
    for (int item = 1; item < reader.getItemCount(); item++) {
      int offset = reader.getItem(item);
      if (offset == 0 || classFile[offset - 1] != CONSTANT_UTF8) {
        continue;
      }
      int start = offset + 2;
      int length = reader.readUnsignedShort(offset);
      for (byte[] name : classNames) {
        if (contains(classFile, start, length, name)) {
          return true;
        }
      }
      for (byte[] name : exactNames) {
        if (name.length == length && Arrays.equals(classFile, start, start + length, name, 0, length)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The names as the constant pool stores them (modified UTF-8). */
  private static List<byte[]> encoded(Collection<String> names) {
    List<byte[]> result = new ArrayList<>();
    for (String name : names) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeUTF(name);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      byte[] withLength = bytes.toByteArray();
      result.add(Arrays.copyOfRange(withLength, 2, withLength.length));
    }
    return result;
  }

  private static boolean contains(byte[] bytes, int start, int length, byte[] part) {
    int last = start + length - part.length;
    for (int i = start; i <= last; i++) {
      if (bytes[i] == part[0] && Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns a new-build class, as read, with every rename applied, class names and methods alike;
   * the class given is not changed.
   */
  ClassNode apply(ClassNode newClass) {
    ClassNode renamed = new ClassNode();
    newClass.accept(new ClassRemapper(renamed, new Remapper(Opcodes.ASM9) {
      @Override
      public String map(String internalName) {
        return classes.getOrDefault(internalName, internalName);
      }

      @Override
      public String mapMethodName(String owner, String name, String descriptor) {
        Map<String, String> owned = methods.get(owner);
        return owned == null ? name : owned.getOrDefault(name + descriptor, name);
      }
    }));
    return renamed;
  }
}
