package org.jlivepatch.core.diff;

import java.lang.reflect.Modifier;
import java.util.StringJoiner;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/** Renders members and modifiers for messages, in Java syntax with JVM detail where Java has none. */
final class MemberText {

  private MemberText() {}

  /** {@code method parse(I)V}: the member as {@link org.jlivepatch.core.model.Refusal#member()} names it. */
  static String methodMember(String name, String descriptor) {
    return "method " + name + descriptor;
  }

  /** {@code field count:I}. */
  static String fieldMember(String name, String descriptor) {
    return "field " + name + ":" + descriptor;
  }

  /** {@code `int parse(java.lang.String)`} for a method, {@code `static initializer`} for {@code <clinit>}. */
  static String method(String name, String descriptor) {
    if (name.equals("<clinit>")) {
      return "`static initializer`";
    }
    Type type = Type.getMethodType(descriptor);
    StringJoiner parameters = new StringJoiner(", ", "(", ")");
    for (Type parameter : type.getArgumentTypes()) {
      parameters.add(parameter.getClassName());
    }
    String shown = name.equals("<init>") ? "constructor" + parameters : type.getReturnType().getClassName() + " " + name + parameters;
    return "`" + shown + "`";
  }

  /** {@code `int depth`}. */
  static String field(String name, String descriptor) {
    return "`" + Type.getType(descriptor).getClassName() + " " + name + "`";
  }

  /** Java modifiers and the JVM-only flags (synthetic, bridge, varargs, enum, ...), or "package-private". */
  static String modifiers(int access, boolean method) {
    StringJoiner text = new StringJoiner(" ");
    String java = Modifier.toString(access & (method ? Modifier.methodModifiers() : Modifier.fieldModifiers() | Modifier.classModifiers()));
    if (!java.isEmpty()) {
      text.add(java);
    }
    if ((access & Opcodes.ACC_INTERFACE) != 0 && !method) {
      text.add("interface");
    }
    if ((access & Opcodes.ACC_SYNTHETIC) != 0) {
      text.add("synthetic");
    }
    if (method && (access & Opcodes.ACC_BRIDGE) != 0) {
      text.add("bridge");
    }
    if (method && (access & Opcodes.ACC_VARARGS) != 0) {
      text.add("varargs");
    }
    if (!method && (access & Opcodes.ACC_ENUM) != 0) {
      text.add("enum");
    }
    if (!method && (access & Opcodes.ACC_ANNOTATION) != 0) {
      text.add("annotation");
    }
    String result = text.toString();
    return result.isEmpty() ? "package-private" : result;
  }

  /** {@code 61 (Java 17)}. */
  static String majorVersion(int major) {
    return major + (major >= 45 ? " (Java " + (major >= 49 ? String.valueOf(major - 44) : "1." + (major - 44)) + ")" : "");
  }
}
