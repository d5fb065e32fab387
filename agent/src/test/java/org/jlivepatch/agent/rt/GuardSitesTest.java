package org.jlivepatch.agent.rt;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/** The bytecode analysis behind guard frames that do not hold: which calls have nothing called before them. */
class GuardSitesTest {

  private static final String ENCODE = "encode(Ljava/lang/String;)Ljava/lang/String;";
  private static final String DECODE = "decode(Ljava/lang/String;)Ljava/lang/String;";
  private static final String GUARD = "(Ljava/lang/String;)Ljava/lang/String;";

  /** Guard shapes, as javac compiles them. */
  @SuppressWarnings("unused")
  static final class Shapes {
    static String encode(String s) {
      return s;
    }

    static String decode(String s) {
      return s;
    }

    static String straight(String s) {
      return decode(encode(s));
    }

    static String loop(String s) {
      for (int i = 0; i < 3; i++) {
        s = decode(encode(s));
      }
      return s;
    }

    static String whileTrue(String s) {
      while (true) {
        s = encode(s);
        if (s.isEmpty()) {
          return decode(s);
        }
      }
    }

    static String handler(String s) {
      try {
        return encode(s);
      } catch (RuntimeException e) {
        return decode(s);
      }
    }

    static String branches(String s) {
      if (s.length() > 3) { // a call first: both below are after it
        return encode(s);
      }
      return decode(s);
    }

    static String choice(String s, boolean b) {
      return b ? encode(s) : decode(s);
    }

    static String switched(String s, int k) {
      switch (k) {
        case 1: return encode(s);
        case 2: return decode(s);
        case 7: return encode(decode(s));
        default: return s;
      }
    }

    static String switchedOnce(String s, int k) {
      switch (k) {
        case 1: return encode(s);
        case 2: return decode(s);
        case 7: return String.valueOf(s);
        default: return s;
      }
    }

    static String constant(String s) {
      return decode(encode("x"));
    }

    static String helperFirst(String s) {
      String t = String.valueOf(s); // any call may reach patched code: what follows is after it
      return decode(encode(t));
    }
  }

  @Test
  void straightLineFreesTheFirstCallOnly() throws IOException {
    assertThat(calls("straight", GUARD)).containsOnly(ENCODE);
  }

  @Test
  void aLoopFreesNothingThatALaterIterationReaches() throws IOException {
    assertThat(calls("loop", GUARD)).isEmpty();
    assertThat(calls("whileTrue", "(Ljava/lang/String;)Ljava/lang/String;")).isEmpty();
  }

  @Test
  void aHandlerOfARangeWithACallIsAfterIt() throws IOException {
    assertThat(calls("handler", GUARD)).containsOnly(ENCODE);
  }

  @Test
  void everyCallCountsNotOnlyPatchedOnes() throws IOException {
    assertThat(calls("branches", GUARD)).containsOnly("length()I");
    assertThat(calls("helperFirst", GUARD)).containsOnly("valueOf(Ljava/lang/Object;)Ljava/lang/String;");
  }

  @Test
  void branchesAndSwitchesFreeEachFirstCall() throws IOException {
    assertThat(calls("choice", "(Ljava/lang/String;Z)Ljava/lang/String;")).containsExactlyInAnyOrder(ENCODE, DECODE);
    assertThat(calls("switchedOnce", "(Ljava/lang/String;I)Ljava/lang/String;"))
        .containsExactlyInAnyOrder(ENCODE, DECODE, "valueOf(Ljava/lang/Object;)Ljava/lang/String;");
  }

  @Test
  void aCallIsFreeOnlyAsTheMethodsOnlyCallOfItsCallee() throws IOException {
    // case 1's encode and case 2's decode are first calls, but case 7 calls both again: an index moved
    // by code an agent inserted could land from one on the other.
    assertThat(calls("switched", "(Ljava/lang/String;I)Ljava/lang/String;")).isEmpty();
  }

  @Test
  void anLdcFreesNothing() throws IOException {
    // A redefinition may widen it to ldc_w: the indexes of the running code would move.
    assertThat(calls("constant", GUARD)).isEmpty();
  }

  @Test
  void jsrFreesNothing() {
    ClassWriter writer = new ClassWriter(0);
    writer.visit(Opcodes.V1_4, Opcodes.ACC_PUBLIC, "Old", null, "java/lang/Object", null);
    MethodVisitor mv = writer.visitMethod(Opcodes.ACC_STATIC, "g", "()V", null, null);
    mv.visitCode();
    Label sub = new Label();
    mv.visitMethodInsn(Opcodes.INVOKESTATIC, "Old", "f", "()V", false);
    mv.visitJumpInsn(Opcodes.JSR, sub);
    mv.visitInsn(Opcodes.RETURN);
    mv.visitLabel(sub);
    mv.visitVarInsn(Opcodes.ASTORE, 0);
    mv.visitVarInsn(Opcodes.RET, 0);
    mv.visitMaxs(1, 1);
    mv.visitEnd();
    writer.visitEnd();
    assertThat(GuardSites.freeCalls(writer.toByteArray(), "g()V")).isEmpty();
  }

  @Test
  void freeIndexesAreTheInvokesAndNameTheirCallee() throws IOException {
    byte[] bytes = shapes();
    Map<Integer, String> free = GuardSites.freeCalls(bytes, "straight" + GUARD);
    assertThat(free).hasSize(1);
    int bci = free.keySet().iterator().next();
    assertThat(bytes[straightCode(bytes) + bci] & 0xff).isEqualTo(Opcodes.INVOKESTATIC);
  }

  @Test
  void aFrameIsFreeOnlyAtAFreeCallIntoTheCalleeItNames() throws IOException {
    byte[] bytes = shapes();
    int bci = GuardSites.freeCalls(bytes, "straight" + GUARD).keySet().iterator().next();
    GuardSites sites = GuardSites.of(Map.of(Shapes.class, List.of(bytes)), Map.of(Shapes.class, keys("straight")));
    assertThat(sites.free(Shapes.class, "straight", GUARD, bci, "encode", "(Ljava/lang/String;)Ljava/lang/String;"))
        .isTrue();
    // Another callee: the code that runs is not the code analysed.
    assertThat(sites.free(Shapes.class, "straight", GUARD, bci, "decode", "(Ljava/lang/String;)Ljava/lang/String;"))
        .isFalse();
    assertThat(sites.free(Shapes.class, "straight", GUARD, bci + 3, "decode", "(Ljava/lang/String;)Ljava/lang/String;"))
        .isFalse();
    assertThat(sites.free(String.class, "straight", GUARD, bci, "encode", "(Ljava/lang/String;)Ljava/lang/String;"))
        .isFalse();
    assertThat(sites.free(Shapes.class, "loop", GUARD, bci, "encode", "(Ljava/lang/String;)Ljava/lang/String;"))
        .isFalse();
  }

  @Test
  void aCallIsFreeOnlyIfFreeInEveryVersion() throws IOException {
    byte[] bytes = shapes();
    // The same method with a call put first: nothing that was free stays free in both.
    ClassNode node = new ClassNode();
    new ClassReader(bytes).accept(node, 0);
    for (MethodNode m : node.methods) {
      if (m.name.equals("straight")) {
        m.instructions.insert(new MethodInsnNode(Opcodes.INVOKESTATIC, "java/lang/Thread", "onSpinWait", "()V"));
      }
    }
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    node.accept(writer);
    byte[] other = writer.toByteArray();
    assertThat(GuardSites.freeCalls(other, "straight" + GUARD)).containsOnlyKeys(0);
    GuardSites both = GuardSites.of(Map.of(Shapes.class, List.of(bytes, other)), Map.of(Shapes.class, keys("straight")));
    assertThat(both.any()).isFalse();
    GuardSites same = GuardSites.of(Map.of(Shapes.class, List.of(bytes, bytes.clone())),
        Map.of(Shapes.class, keys("straight")));
    assertThat(same.any()).isTrue();
  }

  @Test
  void unreadableOrAbsentCodeFreesNothing() throws IOException {
    assertThat(GuardSites.freeCalls(shapes(), "absent()V")).isEmpty();
    assertThat(GuardSites.freeCalls(new byte[] {1, 2, 3}, "straight" + GUARD)).isEmpty();
  }

  private static Collection<String> keys(String name) {
    return List.of(name + GUARD);
  }

  /** The callee keys of the free calls of a method of {@link Shapes}. */
  private static List<String> calls(String name, String descriptor) throws IOException {
    return List.copyOf(GuardSites.freeCalls(shapes(), name + descriptor).values());
  }

  private static byte[] shapes() throws IOException {
    try (InputStream in = Shapes.class.getResourceAsStream("GuardSitesTest$Shapes.class")) {
      return in.readAllBytes();
    }
  }

  /**
   * Offset in the class file of the code of {@code straight}: aload_0, invokestatic encode,
   * invokestatic decode, areturn; no other method of {@link Shapes} has that shape.
   */
  private static int straightCode(byte[] bytes) {
    for (int i = 0; i + 8 <= bytes.length; i++) {
      if (bytes[i] == 0x2a && (bytes[i + 1] & 0xff) == 0xb8 && (bytes[i + 4] & 0xff) == 0xb8
          && (bytes[i + 7] & 0xff) == 0xb0) {
        return i;
      }
    }
    throw new AssertionError("no code of straight");
  }
}
