package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** Which superclass members only a patched class, not its hidden class, may use: per run-time package. */
class HostOnlyMembersTest {

  private static final String[] OBJECT_PROTECTED = {"clone()Ljava/lang/Object;", "finalize()V"};

  @Test
  void protectedMembersOfASuperclassInAnotherPackageAndOfObject() throws Exception {
    MapLoader loader = new MapLoader(null, false);
    loader.put("q/Base", "java/lang/Object", true);
    loader.put("p/Sub", "q/Base", false);
    assertThat(HostOnlyMembers.of(loader.loadClass("p.Sub")))
        .containsExactlyInAnyOrder("count:I", "tag()Ljava/lang/String;", "kind()Ljava/lang/String;",
            OBJECT_PROTECTED[0], OBJECT_PROTECTED[1]);
  }

  @Test
  void aSuperclassOfTheSameRuntimePackageHasNone() throws Exception {
    MapLoader loader = new MapLoader(null, false);
    loader.put("p/Near", "java/lang/Object", true);
    loader.put("p/Sub", "p/Near", false);
    assertThat(HostOnlyMembers.of(loader.loadClass("p.Sub"))).containsExactlyInAnyOrder(OBJECT_PROTECTED);
  }

  @Test
  void theSamePackageNameInAnotherLoaderIsAnotherRuntimePackage() throws Exception {
    MapLoader parent = new MapLoader(null, false);
    parent.put("p/Near", "java/lang/Object", true);
    MapLoader child = new MapLoader(parent, false);
    child.put("p/Sub", "p/Near", false);
    Class<?> sub = child.loadClass("p.Sub");
    assertThat(sub.getSuperclass().getClassLoader()).isSameAs(parent);
    assertThat(HostOnlyMembers.of(sub)).contains("count:I", "tag()Ljava/lang/String;", "kind()Ljava/lang/String;");
  }

  @Test
  void theClassFileAndReflectionAgree() throws Exception {
    MapLoader withFiles = new MapLoader(null, true);
    withFiles.put("q/Base", "java/lang/Object", true);
    withFiles.put("p/Sub", "q/Base", false);
    MapLoader reflectionOnly = new MapLoader(null, false);
    reflectionOnly.put("q/Base", "java/lang/Object", true);
    reflectionOnly.put("p/Sub", "q/Base", false);
    assertThat(withFiles.loadClass("p.Sub").getResourceAsStream("/q/Base.class")).isNotNull();
    assertThat(reflectionOnly.loadClass("p.Sub").getResourceAsStream("/q/Base.class")).isNull();
    assertThat(HostOnlyMembers.of(withFiles.loadClass("p.Sub")))
        .isEqualTo(HostOnlyMembers.of(reflectionOnly.loadClass("p.Sub")));
  }

  @Test
  void anInterfaceMayUseNone() {
    assertThat(HostOnlyMembers.of(Runnable.class)).isEmpty();
  }

  /** Defines generated classes itself; serves their class files as resources only if asked to. */
  static final class MapLoader extends ClassLoader {
    private final Map<String, byte[]> classes = new HashMap<>();
    private final boolean resources;

    MapLoader(ClassLoader parent, boolean resources) {
      super(parent == null ? HostOnlyMembersTest.class.getClassLoader() : parent);
      this.resources = resources;
    }

    /** A public class; {@code members} gives it protected count:I, tag() and static kind(), and a public go(). */
    void put(String name, String superName, boolean members) {
      ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
      writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, superName, null);
      MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
      init.visitCode();
      init.visitVarInsn(Opcodes.ALOAD, 0);
      init.visitMethodInsn(Opcodes.INVOKESPECIAL, superName, "<init>", "()V", false);
      init.visitInsn(Opcodes.RETURN);
      init.visitMaxs(0, 0);
      init.visitEnd();
      if (members) {
        writer.visitField(Opcodes.ACC_PROTECTED, "count", "I", null, null).visitEnd();
        writer.visitField(Opcodes.ACC_PUBLIC, "open", "I", null, null).visitEnd();
        method(writer, Opcodes.ACC_PROTECTED, "tag");
        method(writer, Opcodes.ACC_PROTECTED | Opcodes.ACC_STATIC, "kind");
        method(writer, Opcodes.ACC_PUBLIC, "go");
        method(writer, 0, "packaged");
      }
      writer.visitEnd();
      classes.put(name.replace('/', '.'), writer.toByteArray());
    }

    private static void method(ClassWriter writer, int access, String name) {
      MethodVisitor m = writer.visitMethod(access, name, "()Ljava/lang/String;", null, null);
      m.visitCode();
      m.visitLdcInsn(name);
      m.visitInsn(Opcodes.ARETURN);
      m.visitMaxs(0, 0);
      m.visitEnd();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }

    @Override
    public InputStream getResourceAsStream(String name) {
      if (resources && name.endsWith(".class")) {
        byte[] bytes = classes.get(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
        if (bytes != null) {
          return new ByteArrayInputStream(bytes);
        }
      }
      return super.getResourceAsStream(name);
    }
  }
}
