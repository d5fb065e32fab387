package org.jlivepatch.core.diff;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * Renames synthetic classes and methods of the new build to the names they have in the old one,
 * so that their users compare equal and the new bytes can be redefined over the running classes
 * (redefinition cannot rename a method or a class).
 *
 * <p>A new synthetic that matched nothing but whose name the old build gives to another member is
 * renamed out of the way with {@link #UNMATCHED_SUFFIX}, so it cannot pass for that member.
 */
final class Renaming {

  /** Appended to the name of an unmatched synthetic whose new-build name is taken in the old build. */
  static final String UNMATCHED_SUFFIX = "$jlp$unmatched";

  /** Internal class names: new build to old build. */
  private final Map<String, String> classes = new HashMap<>();
  /** New internal owner name, then method name followed by descriptor, to the old method name. */
  private final Map<String, Map<String, String>> methods = new HashMap<>();

  /** Top-level names of the nests the renames touch. */
  private final Set<String> nests = new HashSet<>();

  void renameClass(String newInternalName, String oldInternalName) {
    classes.put(newInternalName, oldInternalName);
    nests.add(SyntheticNames.topLevel(newInternalName));
  }

  void renameMethod(String newOwner, String newName, String newDescriptor, String oldName) {
    methods.computeIfAbsent(newOwner, o -> new HashMap<>()).put(newName + newDescriptor, oldName);
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

  /** Returns a new-build class file with every rename applied, class names and methods alike. */
  byte[] apply(byte[] newClassFile) {
    ClassReader reader = new ClassReader(newClassFile);
    ClassWriter writer = new ClassWriter(0);
    reader.accept(new ClassRemapper(writer, new Remapper(Opcodes.ASM9) {
      @Override
      public String map(String internalName) {
        return classes.getOrDefault(internalName, internalName);
      }

      @Override
      public String mapMethodName(String owner, String name, String descriptor) {
        Map<String, String> owned = methods.get(owner);
        return owned == null ? name : owned.getOrDefault(name + descriptor, name);
      }
    }), 0);
    return writer.toByteArray();
  }

  /** The name a member or class had in the new build, given its name after renaming. */
  static String newBuildName(String renamed) {
    return renamed.endsWith(UNMATCHED_SUFFIX)
        ? renamed.substring(0, renamed.length() - UNMATCHED_SUFFIX.length())
        : renamed;
  }
}
