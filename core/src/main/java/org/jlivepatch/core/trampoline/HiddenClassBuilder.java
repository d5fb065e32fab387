package org.jlivepatch.core.trampoline;

import java.lang.invoke.LambdaMetafactory;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.ConstantDynamic;
import org.objectweb.asm.Handle;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;

/** Builds the hidden class H of one class C; see {@link Trampolines#hidden}. */
final class HiddenClassBuilder {

  private static final String LAMBDA_METAFACTORY = "java/lang/invoke/LambdaMetafactory";

  private final ClassNode c;
  private final ClassChange change;
  private final Set<String> shadowFields;
  private final Set<String> patchAddedMethods;
  /** Protected members of C's superclasses in other run-time packages: name+desc, name:desc for fields. */
  private final Set<String> hostOnly;
  /** C's own fields as name:desc. */
  private final Set<String> fields = new HashSet<>();
  private final String keyPrefix;
  private final String hName;
  private final boolean itf;
  private final Map<String, MethodNode> methods;
  private final Set<String> added;
  /** C's method key to {name, descriptor} in H. */
  private final Map<String, String[]> targets = new LinkedHashMap<>();

  /** @param c the class {@code to}, read with expanded frames; its method nodes are consumed */
  HiddenClassBuilder(ClassNode c, ClassChange change, Set<String> shadowFields, Set<String> patchAddedMethods,
      Set<String> hostOnly, String keyPrefix) {
    this.c = c;
    this.change = change;
    this.shadowFields = shadowFields;
    this.patchAddedMethods = patchAddedMethods;
    this.hostOnly = hostOnly;
    c.fields.forEach(field -> fields.add(field.name + ":" + field.desc));
    this.keyPrefix = keyPrefix;
    this.hName = Trampolines.hiddenName(c.name);
    this.itf = (c.access & Opcodes.ACC_INTERFACE) != 0;
    this.methods = Trampolines.methodsByKey(c);
    this.added = new HashSet<>(change.added());
  }

  HiddenClass build(Collection<String> bodies) throws NotMovableException {
    Set<String> keys = new LinkedHashSet<>(bodies);
    keys.addAll(change.added());
    for (String key : keys) {
      MethodNode method = methods.get(key);
      if (method == null) {
        throw new IllegalArgumentException("method " + c.name + "." + key + " is missing from the new class");
      }
      checkMovable(method);
    }
    // Names are decided first: bodies call each other through them.
    Set<String> used = new HashSet<>();
    for (String key : keys) {
      MethodNode method = methods.get(key);
      String desc = Trampolines.hiddenDescriptor(c.name, method.desc, (method.access & Opcodes.ACC_STATIC) != 0);
      String name = method.name;
      for (int n = 1; !used.add(name + desc); n++) {
        name = method.name + "$jlp" + n;
      }
      targets.put(key, new String[] {name, desc});
    }

    ClassNode h = new ClassNode(Trampolines.API);
    h.version = c.version;
    h.access = Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC;
    h.name = hName;
    h.superName = "java/lang/Object";
    h.sourceFile = c.sourceFile;
    h.sourceDebug = c.sourceDebug;
    Map<String, String> redirects = new LinkedHashMap<>();
    for (String key : keys) {
      String[] target = targets.get(key);
      h.methods.add(copy(methods.get(key), target[0], target[1]));
      redirects.put(key, target[0] + "|" + target[1]);
    }
    // COMPUTE_MAXS only: the frames are C's own (the receiver was already local 0), computing them
    // would load classes.
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    h.accept(writer);
    return new HiddenClass(hName, writer.toByteArray(), redirects);
  }

  private void checkMovable(MethodNode method) throws NotMovableException {
    String reason = unmovable(method.access, method.name, c.version);
    if (reason != null) {
      throw notMovable(method, reason);
    }
  }

  /** Why a method with these properties can have no body in H (nor an entry gate), or null. */
  static String unmovable(int access, String name, int classVersion) {
    if (name.equals("<init>")) {
      return "it is a constructor, which must run in place";
    }
    if (name.equals("<clinit>")) {
      return "it is a static initializer, which runs once, in place";
    }
    if ((access & Opcodes.ACC_ABSTRACT) != 0) {
      return "it is abstract: there is no body to move";
    }
    if ((access & Opcodes.ACC_NATIVE) != 0) {
      return "it is native: there is no body to move";
    }
    int major = classVersion & 0xFFFF;
    if (major < Opcodes.V1_7) {
      return "its class file version " + major + " cannot hold invokedynamic (51, Java 7, needed)";
    }
    return null;
  }

  private MethodNode copy(MethodNode method, String name, String desc) throws NotMovableException {
    // Public static, nothing else: synchronized is dropped (C's entry holds the monitor), the
    // generic signature and annotations no longer fit the descriptor.
    int access = Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | (method.access & Opcodes.ACC_STRICT);
    MethodNode copy = new MethodNode(Trampolines.API, access, name, desc, null,
        method.exceptions.toArray(new String[0]));
    // Slot 0 holds the receiver either way, so the code, its frames and its debug tables fit as they are.
    copy.instructions = method.instructions;
    copy.tryCatchBlocks = method.tryCatchBlocks;
    copy.localVariables = method.localVariables;
    copy.maxStack = method.maxStack;
    copy.maxLocals = method.maxLocals;
    rewrite(method, copy.instructions);
    return copy;
  }

  private void rewrite(MethodNode method, InsnList code) throws NotMovableException {
    for (AbstractInsnNode insn : code.toArray()) {
      if (insn instanceof MethodInsnNode call) {
        rewriteCall(method, code, call);
      } else if (insn instanceof FieldInsnNode field) {
        if (shadowFields.contains(field.owner + "." + field.name + ":" + field.desc)) {
          code.set(field, shadowAccess(field));
        } else if (hostOnly(field.owner, field.name + ":" + field.desc, false)) {
          code.set(field, hostAccess(field.getOpcode(), field.owner, field.name, field.desc));
        }
      } else if (insn instanceof InvokeDynamicInsnNode indy) {
        indy.bsm = (Handle) constant(method, indy.bsm);
        for (int i = 0; i < indy.bsmArgs.length; i++) {
          indy.bsmArgs[i] = constant(method, indy.bsmArgs[i]);
        }
        if (lambda(method, indy)) {
          indy.bsm = Trampolines.lambdaBootstrap(c.name);
        }
      } else if (insn instanceof LdcInsnNode ldc) {
        ldc.cst = constant(method, ldc.cst);
      }
    }
  }

  /**
   * Whether {@code indy} is a lambda of {@code LambdaMetafactory} (javac's lambdas and method
   * references), which H links with the bridge's lambda bootstrap instead: the JDK defines its
   * class with the STRONG option in the caller's loader, so each apply would leave a class behind
   * that keeps H, and with it the generation's links, loaded as long as C's loader.
   *
   * @throws NotMovableException for a serializable lambda: its deserialization looks for
   *     {@code $deserializeLambda$} in the capturing class, which H cannot have under C's name
   */
  private boolean lambda(MethodNode method, InvokeDynamicInsnNode indy) throws NotMovableException {
    if (!indy.bsm.getOwner().equals(LAMBDA_METAFACTORY) || indy.bsm.getTag() != Opcodes.H_INVOKESTATIC) {
      return false;
    }
    if (indy.bsm.getName().equals("metafactory") && indy.bsmArgs.length == 3) {
      return true;
    }
    if (!indy.bsm.getName().equals("altMetafactory") || indy.bsmArgs.length < 4
        || !(indy.bsmArgs[3] instanceof Integer flags)) {
      throw notMovable(method, "it links a lambda with LambdaMetafactory." + indy.bsm.getName()
          + indy.bsm.getDesc() + " and arguments javac does not emit");
    }
    if ((flags & LambdaMetafactory.FLAG_SERIALIZABLE) != 0) {
      throw notMovable(method, "it creates a serializable lambda (" + indy.name + indy.desc + "), whose"
          + " deserialization needs $deserializeLambda$ in " + c.name + ", which the patch cannot add;"
          + " use a named class implementing the interface instead");
    }
    return true;
  }

  private void rewriteCall(MethodNode method, InsnList code, MethodInsnNode call) throws NotMovableException {
    String key = call.name + call.desc;
    if (call.owner.equals(c.name)) {
      if (added.contains(key)) {
        // The receiver, if any, is already on the stack as the first argument of H's static copy.
        String[] target = targets.get(key);
        code.set(call, new MethodInsnNode(Opcodes.INVOKESTATIC, hName, target[0], target[1], false));
        return;
      } else if (call.getOpcode() == Opcodes.INVOKESPECIAL && !call.name.equals("<init>")) {
        MethodNode callee = methods.get(key);
        if (callee != null && (callee.access & Opcodes.ACC_PRIVATE) != 0) {
          // H is a nestmate of C: its private methods are reachable by a virtual or interface call.
          call.setOpcode(itf ? Opcodes.INVOKEINTERFACE : Opcodes.INVOKEVIRTUAL);
          return;
        }
      }
    } else if (patchAddedMethods.contains(call.owner + "." + key)) {
      throw notMovable(method, "it calls " + call.owner + "." + key
          + ", a method the patch adds to another class; calling it from a hidden class is not supported yet");
    }
    // invokespecial from H is refused by the JVM for any method but a nestmate's private one (a
    // super call names a superclass of C, not of H); protected members of a superclass in another
    // run-time package are refused to H, which is no subclass of it. C's lookup may do both.
    boolean special = call.getOpcode() == Opcodes.INVOKESPECIAL && !call.name.equals("<init>");
    if (special || call.getOpcode() != Opcodes.INVOKESPECIAL && hostOnly(call.owner, key, true)) {
      code.set(call, hostAccess(call.getOpcode(), call.owner, call.name, call.desc));
    }
  }

  /**
   * Whether a reference to member {@code key} through {@code owner} may resolve to a protected
   * member of a superclass of C in another run-time package. A member C declares itself, named
   * through C, is C's own; arrays have no protected members.
   */
  private boolean hostOnly(String owner, String key, boolean method) {
    if (!hostOnly.contains(key) || owner.startsWith("[")) {
      return false;
    }
    return !owner.equals(c.name) || !(method ? methods.containsKey(key) : fields.contains(key));
  }

  private InvokeDynamicInsnNode hostAccess(int opcode, String owner, String name, String desc) {
    return new InvokeDynamicInsnNode(name, Trampolines.hostCallSiteType(c.name, opcode, owner, desc),
        Trampolines.bootstrap(c.name), Trampolines.hostKey(keyPrefix, opcode, owner, name, desc));
  }

  private InvokeDynamicInsnNode shadowAccess(FieldInsnNode field) {
    boolean put = field.getOpcode() == Opcodes.PUTFIELD || field.getOpcode() == Opcodes.PUTSTATIC;
    String type = switch (field.getOpcode()) {
      case Opcodes.GETFIELD -> "(L" + field.owner + ";)" + field.desc;
      case Opcodes.PUTFIELD -> "(L" + field.owner + ";" + field.desc + ")V";
      case Opcodes.GETSTATIC -> "()" + field.desc;
      default -> "(" + field.desc + ")V";
    };
    return new InvokeDynamicInsnNode(put ? Trampolines.SHADOW_PUT : Trampolines.SHADOW_GET, type,
        Trampolines.bootstrap(c.name), Trampolines.shadowKey(keyPrefix, put, field.owner, field.name, field.desc));
  }

  /** A constant as H needs it: handles on added methods point at H, private special handles become virtual. */
  private Object constant(MethodNode method, Object value) throws NotMovableException {
    if (value instanceof Handle handle) {
      return handle(method, handle);
    }
    if (value instanceof ConstantDynamic condy) {
      Handle bsm = handle(method, condy.getBootstrapMethod());
      boolean same = bsm == condy.getBootstrapMethod();
      Object[] arguments = new Object[condy.getBootstrapMethodArgumentCount()];
      for (int i = 0; i < arguments.length; i++) {
        arguments[i] = constant(method, condy.getBootstrapMethodArgument(i));
        same &= arguments[i] == condy.getBootstrapMethodArgument(i);
      }
      return same ? condy : new ConstantDynamic(condy.getName(), condy.getDescriptor(), bsm, arguments);
    }
    return value;
  }

  private Handle handle(MethodNode method, Handle handle) throws NotMovableException {
    String key = handle.getName() + handle.getDesc();
    if (handle.getTag() <= Opcodes.H_PUTSTATIC) {
      if (shadowFields.contains(handle.getOwner() + "." + handle.getName() + ":" + handle.getDesc())) {
        throw notMovable(method, "it takes a method handle on " + handle.getOwner() + "." + handle.getName() + ":"
            + handle.getDesc() + ", a field the patch adds, which has no handle");
      }
      if (hostOnly(handle.getOwner(), handle.getName() + ":" + handle.getDesc(), false)) {
        throw hostOnlyHandle(method, handle.getOwner() + "." + handle.getName() + ":" + handle.getDesc());
      }
      return handle;
    }
    if (handle.getOwner().equals(c.name)) {
      if (added.contains(key)) {
        // A former instance method takes its receiver first: a lambda's captured arguments come
        // first, so a capturing lambda passes it exactly there.
        String[] target = targets.get(key);
        return new Handle(Opcodes.H_INVOKESTATIC, hName, target[0], target[1], false);
      }
      if (handle.getTag() == Opcodes.H_INVOKESPECIAL) {
        MethodNode callee = methods.get(key);
        if (callee == null || (callee.access & Opcodes.ACC_PRIVATE) == 0) {
          throw notMovable(method, "it takes a special method handle on " + handle.getOwner() + "." + key
              + ", which only " + c.name + " itself may do for a method that is not private");
        }
        // A special handle on C's method is refused to any other caller class, nestmate or not.
        return new Handle(itf ? Opcodes.H_INVOKEINTERFACE : Opcodes.H_INVOKEVIRTUAL, handle.getOwner(),
            handle.getName(), handle.getDesc(), handle.isInterface());
      }
      if (hostOnly(handle.getOwner(), key, true)) {
        throw hostOnlyHandle(method, handle.getOwner() + "." + key);
      }
      return handle;
    }
    if (patchAddedMethods.contains(handle.getOwner() + "." + key)) {
      throw notMovable(method, "it takes a method handle on " + handle.getOwner() + "." + key
          + ", a method the patch adds to another class; this is not supported yet");
    }
    if (handle.getTag() == Opcodes.H_INVOKESPECIAL) {
      throw notMovable(method, "it takes a special method handle on " + handle.getOwner() + "." + key
          + " (a super call), which the JVM resolves with the hidden class's access, and only " + c.name
          + " itself may make it; use a lambda that makes the call instead");
    }
    if (hostOnly(handle.getOwner(), key, true)) {
      throw hostOnlyHandle(method, handle.getOwner() + "." + key);
    }
    return handle;
  }

  private NotMovableException hostOnlyHandle(MethodNode method, String member) {
    return notMovable(method, "it takes a method handle on " + member + ", a protected member of a superclass of "
        + c.name + " in another run-time package, which the JVM resolves with the hidden class's access; only "
        + c.name + " itself may use it: use a lambda that makes the call instead");
  }

  private NotMovableException notMovable(MethodNode method, String reason) {
    return new NotMovableException(c.name, method.name, method.desc, reason);
  }
}
