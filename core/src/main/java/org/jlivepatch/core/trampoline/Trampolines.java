package org.jlivepatch.core.trampoline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.ShadowField;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.FieldNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.InvokeDynamicInsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * Generates the classes of a trampoline patch: the bridge that bootstraps every call site the
 * generated code uses, the hidden class H holding new bodies and added methods, and the steady,
 * gated and logical forms of a patched class C.
 *
 * <p>Every call site is an {@code invokedynamic} bootstrapped by {@code <package>/$jlivepatch$Bridge.link}
 * with one static argument, a key the agent's linker maps to a call site:
 * <ul>
 *   <li>{@code <prefix>|redirect|<hName>|<hDesc>}: H's static method; the call site's type is hDesc;
 *   <li>{@code <prefix>|gate|<name><desc>}: the per-thread gate of C's method; type {@code ()Z};
 *   <li>{@code <prefix>|shadow-get|<owner>|<field>|<desc>} and {@code <prefix>|shadow-put|...}:
 *       a shadow field; types {@code (Lowner;)T} / {@code (Lowner;T)V}, or {@code ()T} /
 *       {@code (T)V} when static.
 *   <li>{@code <prefix>|host|<opcode>|<owner>|<name>|<desc>}: an instruction of H that only C may
 *       execute (a super call, or a protected member of a superclass in another run-time package),
 *       to be linked with C's full-privilege lookup exactly as the instruction resolves in C;
 *       {@code <opcode>} is its mnemonic ({@code getfield}, {@code putfield}, {@code getstatic},
 *       {@code putstatic}, {@code invokevirtual}, {@code invokestatic}, {@code invokespecial},
 *       {@code invokeinterface}); see {@link #hostKey} for the call site types.
 * </ul>
 * The prefix is the caller's (a generation); this class never interprets it. Class files are read
 * and written without loading any class: frames are kept (expanded where code is inserted), never
 * computed.
 */
public final class Trampolines {

  /** The simple name of the bridge class, in C's package. */
  public static final String BRIDGE_SIMPLE_NAME = "$jlivepatch$Bridge";

  /** The suffix of H's name: {@code <C internal name>$$Jlp}. */
  public static final String HIDDEN_SUFFIX = "$$Jlp";

  /** The bridge's bootstrap method name. */
  public static final String LINK_NAME = "link";

  /** The bridge's bootstrap method descriptor. */
  public static final String LINK_DESCRIPTOR = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
      + "Ljava/lang/invoke/MethodType;Ljava/lang/String;)Ljava/lang/invoke/CallSite;";

  /**
   * The bridge's bootstrap method for the lambdas of hidden classes, varargs: it takes the static
   * arguments javac gives {@code LambdaMetafactory.metafactory} or {@code altMetafactory}.
   */
  public static final String LAMBDA_NAME = "lambda";

  /** The descriptor of the bridge's {@link #LAMBDA_NAME lambda} bootstrap, and of its linker. */
  public static final String LAMBDA_DESCRIPTOR = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
      + "Ljava/lang/invoke/MethodType;[Ljava/lang/Object;)Ljava/lang/invoke/CallSite;";

  /** The bridge's private static field of type {@code MethodHandle} the agent sets to its lambda linker. */
  public static final String LAMBDA_LINKER_FIELD = "lambdaLinker";

  /** The bridge's private static field of type {@code MethodHandle} the agent sets to its linker. */
  public static final String LINKER_FIELD = "linker";

  /** The linker's type: {@code (Lookup,String,MethodType,String)CallSite}, invoked exactly. */
  public static final String LINKER_DESCRIPTOR = LINK_DESCRIPTOR;

  /** The bridge's private static method {@code ()Ljava/lang/invoke/MethodHandles$Lookup;}. */
  public static final String LOOKUP_METHOD = "lookup";

  /** The key's kind for a redirect into H. */
  public static final String REDIRECT = "redirect";

  /** The key's kind for a per-thread gate. */
  public static final String GATE = "gate";

  /** The key's kind for reading a shadow field. */
  public static final String SHADOW_GET = "shadow-get";

  /** The key's kind for writing a shadow field. */
  public static final String SHADOW_PUT = "shadow-put";

  /** The key's kind for an instruction of H linked with the access of C (its nest host). */
  public static final String HOST = "host";

  /** The mnemonics of the instructions a host key may carry, by opcode. */
  private static final Map<Integer, String> HOST_OPCODES = Map.of(
      Opcodes.GETFIELD, "getfield", Opcodes.PUTFIELD, "putfield", Opcodes.GETSTATIC, "getstatic",
      Opcodes.PUTSTATIC, "putstatic", Opcodes.INVOKEVIRTUAL, "invokevirtual", Opcodes.INVOKESTATIC, "invokestatic",
      Opcodes.INVOKESPECIAL, "invokespecial", Opcodes.INVOKEINTERFACE, "invokeinterface");

  static final int API = Opcodes.ASM9;

  private static final String OBJECT = "java/lang/Object";
  private static final String LOOKUP = "java/lang/invoke/MethodHandles$Lookup";
  private static final String METHOD_HANDLE = "java/lang/invoke/MethodHandle";

  private Trampolines() {}

  // ---------------------------------------------------------------------------------------------
  // Names and keys

  /**
   * The internal name of the bridge of a package, e.g. {@code p/q/$jlivepatch$Bridge}, or
   * {@code $jlivepatch$Bridge} for the default package ({@code ""}).
   */
  public static String bridgeName(String packageInternal) {
    return packageInternal == null || packageInternal.isEmpty()
        ? BRIDGE_SIMPLE_NAME : packageInternal + "/" + BRIDGE_SIMPLE_NAME;
  }

  /** The internal name of a class's package, {@code ""} for the default package. */
  public static String packageOf(String classInternal) {
    int slash = classInternal.lastIndexOf('/');
    return slash < 0 ? "" : classInternal.substring(0, slash);
  }

  /** The name written in H's class file for class {@code classInternal}: {@code classInternal + "$$Jlp"}. */
  public static String hiddenName(String classInternal) {
    return classInternal + HIDDEN_SUFFIX;
  }

  /** The key of a redirect into H's static method {@code hName hDesc}. */
  public static String redirectKey(String keyPrefix, String hName, String hDesc) {
    return keyPrefix + "|" + REDIRECT + "|" + hName + "|" + hDesc;
  }

  /** The key of the gate of C's method {@code name desc}. */
  public static String gateKey(String keyPrefix, String name, String desc) {
    return keyPrefix + "|" + GATE + "|" + name + desc;
  }

  /** The key of a read ({@code put == false}) or write of the shadow field {@code owner.field:desc}. */
  public static String shadowKey(String keyPrefix, boolean put, String owner, String field, String desc) {
    return keyPrefix + "|" + (put ? SHADOW_PUT : SHADOW_GET) + "|" + owner + "|" + field + "|" + desc;
  }

  /**
   * The key of instruction {@code opcode owner.name desc} of H, linked as C would resolve it. The
   * call site's type ({@link #hostCallSiteType}) is the instruction's stack effect.
   *
   * @throws IllegalArgumentException if {@code opcode} is not a field or method instruction
   */
  public static String hostKey(String keyPrefix, int opcode, String owner, String name, String desc) {
    String mnemonic = HOST_OPCODES.get(opcode);
    if (mnemonic == null) {
      throw new IllegalArgumentException("opcode " + opcode + " is not a field or method instruction");
    }
    return keyPrefix + "|" + HOST + "|" + mnemonic + "|" + owner + "|" + name + "|" + desc;
  }

  /**
   * The type of the call site replacing instruction {@code opcode owner.name desc} in H for class
   * {@code classInternal}: {@code (Lowner;)T} for getfield, {@code (Lowner;T)V} for putfield,
   * {@code ()T} / {@code (T)V} for getstatic / putstatic, the method descriptor with
   * {@code Lowner;} prepended for invokevirtual and invokeinterface, the descriptor for
   * invokestatic, and with {@code LC;} prepended for invokespecial (the receiver of a super call is
   * {@code this}).
   */
  public static String hostCallSiteType(String classInternal, int opcode, String owner, String desc) {
    String receiver = owner.startsWith("[") ? owner : "L" + owner + ";";
    return switch (opcode) {
      case Opcodes.GETFIELD -> "(" + receiver + ")" + desc;
      case Opcodes.PUTFIELD -> "(" + receiver + desc + ")V";
      case Opcodes.GETSTATIC -> "()" + desc;
      case Opcodes.PUTSTATIC -> "(" + desc + ")V";
      case Opcodes.INVOKEVIRTUAL, Opcodes.INVOKEINTERFACE -> "(" + receiver + desc.substring(1);
      case Opcodes.INVOKESTATIC -> desc;
      case Opcodes.INVOKESPECIAL -> "(L" + classInternal + ";" + desc.substring(1);
      default -> throw new IllegalArgumentException("opcode " + opcode + " is not a field or method instruction");
    };
  }

  /**
   * The opcode of a host key's mnemonic ({@code invokespecial} and so on).
   *
   * @throws IllegalArgumentException if it names no field or method instruction
   */
  public static int hostOpcode(String mnemonic) {
    for (Map.Entry<Integer, String> entry : HOST_OPCODES.entrySet()) {
      if (entry.getValue().equals(mnemonic)) {
        return entry.getKey();
      }
    }
    throw new IllegalArgumentException("'" + mnemonic + "' is not a field or method instruction");
  }

  /**
   * The protected members a class file declares, as {@code name+desc} for methods (constructors
   * left out) and {@code name:desc} for fields: what H must reach through C when the class is a
   * superclass of C in another run-time package.
   *
   * @throws IllegalArgumentException if the class file is unreadable
   */
  public static Set<String> protectedMembers(byte[] classFile) {
    ClassNode node = read(classFile, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    Set<String> members = new LinkedHashSet<>();
    for (FieldNode field : node.fields) {
      if ((field.access & Opcodes.ACC_PROTECTED) != 0) {
        members.add(field.name + ":" + field.desc);
      }
    }
    for (MethodNode method : node.methods) {
      if ((method.access & Opcodes.ACC_PROTECTED) != 0 && !method.name.equals("<init>")) {
        members.add(method.name + method.desc);
      }
    }
    return members;
  }

  /**
   * The descriptor of the H method holding the body of C's method {@code desc}: unchanged when
   * static, else with C prepended as first parameter.
   */
  public static String hiddenDescriptor(String classInternal, String desc, boolean isStatic) {
    return isStatic ? desc : "(L" + classInternal + ";" + desc.substring(1);
  }

  // ---------------------------------------------------------------------------------------------
  // Bridge

  /**
   * The bridge class of a package: package-private, final and synthetic, class-file version 55
   * (Java 11), with {@code private static volatile MethodHandle linker}, {@code private static
   * Lookup lookup()} and {@code public static CallSite link(Lookup, String, MethodType, String)}
   * which invokes the linker exactly; beside them {@code private static volatile MethodHandle
   * lambdaLinker} and {@code public static CallSite lambda(Lookup, String, MethodType, Object...)}
   * which invokes that one exactly.
   *
   * @param packageInternal the package's internal name, {@code ""} for the default package
   */
  public static byte[] bridge(String packageInternal) {
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    writer.visit(Opcodes.V11, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC,
        bridgeName(packageInternal), null, OBJECT, null);
    // Volatile: the agent sets it on its own thread before any call site of the patch links.
    writer.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE | Opcodes.ACC_SYNTHETIC,
        LINKER_FIELD, "L" + METHOD_HANDLE + ";", null, null).visitEnd();
    writer.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_VOLATILE | Opcodes.ACC_SYNTHETIC,
        LAMBDA_LINKER_FIELD, "L" + METHOD_HANDLE + ";", null, null).visitEnd();

    MethodVisitor lookup = writer.visitMethod(Opcodes.ACC_PRIVATE | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
        LOOKUP_METHOD, "()L" + LOOKUP + ";", null, null);
    lookup.visitCode();
    lookup.visitMethodInsn(Opcodes.INVOKESTATIC, "java/lang/invoke/MethodHandles", "lookup", "()L" + LOOKUP + ";",
        false);
    lookup.visitInsn(Opcodes.ARETURN);
    lookup.visitMaxs(0, 0);
    lookup.visitEnd();

    MethodVisitor link = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC,
        LINK_NAME, LINK_DESCRIPTOR, null, new String[] {"java/lang/Throwable"});
    link.visitCode();
    link.visitFieldInsn(Opcodes.GETSTATIC, bridgeName(packageInternal), LINKER_FIELD, "L" + METHOD_HANDLE + ";");
    for (int slot = 0; slot < 4; slot++) {
      link.visitVarInsn(Opcodes.ALOAD, slot);
    }
    link.visitMethodInsn(Opcodes.INVOKEVIRTUAL, METHOD_HANDLE, "invokeExact", LINKER_DESCRIPTOR, false);
    link.visitInsn(Opcodes.ARETURN);
    link.visitMaxs(0, 0);
    link.visitEnd();

    MethodVisitor lambda = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC | Opcodes.ACC_SYNTHETIC
        | Opcodes.ACC_VARARGS, LAMBDA_NAME, LAMBDA_DESCRIPTOR, null, new String[] {"java/lang/Throwable"});
    lambda.visitCode();
    lambda.visitFieldInsn(Opcodes.GETSTATIC, bridgeName(packageInternal), LAMBDA_LINKER_FIELD,
        "L" + METHOD_HANDLE + ";");
    for (int slot = 0; slot < 4; slot++) {
      lambda.visitVarInsn(Opcodes.ALOAD, slot);
    }
    lambda.visitMethodInsn(Opcodes.INVOKEVIRTUAL, METHOD_HANDLE, "invokeExact", LAMBDA_DESCRIPTOR, false);
    lambda.visitInsn(Opcodes.ARETURN);
    lambda.visitMaxs(0, 0);
    lambda.visitEnd();
    writer.visitEnd();
    return writer.toByteArray();
  }

  static Handle bootstrap(String classInternal) {
    return new Handle(Opcodes.H_INVOKESTATIC, bridgeName(packageOf(classInternal)), LINK_NAME, LINK_DESCRIPTOR, false);
  }

  static Handle lambdaBootstrap(String classInternal) {
    return new Handle(Opcodes.H_INVOKESTATIC, bridgeName(packageOf(classInternal)), LAMBDA_NAME, LAMBDA_DESCRIPTOR,
        false);
  }

  // ---------------------------------------------------------------------------------------------
  // Comparison

  /**
   * Compares the class that runs with the class a transition goes to.
   *
   * @return the methods of {@code to} that {@code from} has with another fingerprint (changed),
   *     the methods only {@code to} has (added) and the fields only {@code to} has (shadow fields)
   * @throws IllegalArgumentException if the class files are unreadable or name different classes
   */
  public static ClassChange compare(byte[] from, byte[] to) {
    ClassNode fromNode = read(from, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    ClassNode toNode = read(to, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    if (!fromNode.name.equals(toNode.name)) {
      throw new IllegalArgumentException("cannot compare " + fromNode.name + " with " + toNode.name);
    }
    Map<String, MethodNode> fromMethods = methodsByKey(fromNode);
    List<String> changed = new ArrayList<>();
    List<String> added = new ArrayList<>();
    for (MethodNode method : toNode.methods) {
      MethodNode old = fromMethods.get(method.name + method.desc);
      if (old == null) {
        added.add(method.name + method.desc);
      } else if (!Fingerprints.ofMethod(old).equals(Fingerprints.ofMethod(method))) {
        changed.add(method.name + method.desc);
      }
    }
    Set<String> fromFields = new HashSet<>();
    for (FieldNode field : fromNode.fields) {
      fromFields.add(field.name + ":" + field.desc);
    }
    List<ShadowField> shadowFields = new ArrayList<>();
    for (FieldNode field : toNode.fields) {
      if (!fromFields.contains(field.name + ":" + field.desc)) {
        shadowFields.add(new ShadowField(field.name, field.desc, (field.access & Opcodes.ACC_STATIC) != 0));
      }
    }
    return new ClassChange(toNode.name, changed, added, shadowFields);
  }

  /**
   * The changed methods whose body in {@code to} cannot be spliced into C because it refers to
   * something C will not have: an added method of C (called, or named by a method handle such as a
   * new lambda's body) or a shadow field of the patch.
   *
   * @param patchShadowFields every shadow field of the whole patch as {@code owner.name:desc},
   *     e.g. {@code demo/Codec.depth:I}
   * @return keys of such methods, in {@code to}'s order
   */
  public static Set<String> needsRedirect(byte[] to, ClassChange change, Set<String> patchShadowFields) {
    ClassNode toNode = read(to, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
    checkSameClass(toNode, change);
    References references = new References(toNode.name, new HashSet<>(change.added()), patchShadowFields);
    Set<String> changed = new HashSet<>(change.changed());
    Set<String> result = new LinkedHashSet<>();
    for (MethodNode method : toNode.methods) {
      if (changed.contains(method.name + method.desc) && references.any(method)) {
        result.add(method.name + method.desc);
      }
    }
    return result;
  }

  /**
   * The methods among {@code methodKeys} whose code names one of {@code classes} (internal names)
   * anywhere the JVM may resolve or load it: instructions, handles, method types, exception
   * handlers and stack map frames. Such a body must not run before those classes are defined.
   *
   * @return keys in the class file's order
   */
  public static Set<String> naming(byte[] classFile, Collection<String> methodKeys, Collection<String> classes) {
    Set<String> result = new LinkedHashSet<>();
    if (classes.isEmpty() || methodKeys.isEmpty()) {
      return result;
    }
    Set<String> keys = new HashSet<>(methodKeys);
    ClassNode node = read(classFile, ClassReader.SKIP_DEBUG);
    ClassNames names = new ClassNames(classes);
    for (MethodNode method : node.methods) {
      if (keys.contains(method.name + method.desc) && names.named(method)) {
        result.add(method.name + method.desc);
      }
    }
    return result;
  }

  // ---------------------------------------------------------------------------------------------
  // Hidden class

  /**
   * Builds H for class C: static copies of {@code bodies} and of every added method, taken from
   * {@code to} and rewritten to run outside C (calls to added methods go to H, private calls into C
   * become nestmate calls, shadow fields become {@code invokedynamic} accesses, method handles on
   * added methods point at H, {@code synchronized} is dropped since C's entry holds the monitor,
   * super calls become {@code host} call sites made with C's access, lambdas are bootstrapped by
   * the bridge's {@link #LAMBDA_NAME lambda} method instead of {@code LambdaMetafactory}).
   *
   * @param bodies keys of methods of {@code to} whose body H must hold (changed or existing ones)
   * @param patchShadowFields every shadow field of the whole patch as {@code owner.name:desc}
   * @param keyPrefix the prefix of every key the generated call sites carry
   * @throws NotMovableException if a method cannot run from H
   * @throws IllegalArgumentException if {@code to} lacks a method of {@code bodies} or {@code change}
   */
  public static HiddenClass hidden(byte[] to, ClassChange change, Collection<String> bodies,
      Set<String> patchShadowFields, String keyPrefix) throws NotMovableException {
    return hidden(to, change, bodies, patchShadowFields, Set.of(), keyPrefix);
  }

  /**
   * As {@link #hidden(byte[], ClassChange, Collection, Set, String)}, also refusing bodies that call
   * a method the patch adds to another class (such a method lives only in that class's H, which
   * this H cannot name yet).
   *
   * @param patchAddedMethods every added method of the whole patch as {@code owner.name+desc},
   *     e.g. {@code demo/Util.pad(I)Ljava/lang/String;}; those of C itself are ignored
   */
  public static HiddenClass hidden(byte[] to, ClassChange change, Collection<String> bodies,
      Set<String> patchShadowFields, Set<String> patchAddedMethods, String keyPrefix) throws NotMovableException {
    return hidden(to, change, bodies, patchShadowFields, patchAddedMethods, Set.of(), keyPrefix);
  }

  /**
   * As {@link #hidden(byte[], ClassChange, Collection, Set, Set, String)}, also reaching through C
   * what only C may use. H is C's nestmate but not a subclass of C's superclasses, so these become
   * {@code host} call sites, linked with C's full-privilege lookup:
   * <ul>
   *   <li>every {@code invokespecial} other than a constructor call or a call of C's private method
   *       (super calls, {@code Iface.super.m()} included);
   *   <li>every field or method instruction naming a member of {@code hostOnlyMembers}, unless its
   *       owner is C and C declares that member (an override in C is C's own).
   * </ul>
   * A method handle constant on such a member cannot be rewritten (the JVM resolves it with H's
   * access): the body is refused.
   *
   * @param hostOnlyMembers the protected members of C's superclasses in another run-time package
   *     (as {@link #protectedMembers}); java.lang.Object's count too
   */
  public static HiddenClass hidden(byte[] to, ClassChange change, Collection<String> bodies,
      Set<String> patchShadowFields, Set<String> patchAddedMethods, Set<String> hostOnlyMembers, String keyPrefix)
      throws NotMovableException {
    ClassNode toNode = read(to, ClassReader.EXPAND_FRAMES);
    checkSameClass(toNode, change);
    return new HiddenClassBuilder(toNode, change, patchShadowFields, patchAddedMethods, hostOnlyMembers, keyPrefix)
        .build(bodies);
  }

  // ---------------------------------------------------------------------------------------------
  // Steady and gated forms of C

  /**
   * The steady form of C after a transition to {@code to}: the changed methods in
   * {@code redirected} become entry redirects into H (load receiver and arguments; invokedynamic
   * redirect; return), the other changed methods get {@code to}'s body (and everything else
   * {@code to} has for them, as {@link org.jlivepatch.core.splice.ClassSplicer}). Everything else
   * is {@code from} as it was; nothing is added, so the result can redefine {@code from}.
   *
   * @param redirected keys of the methods to redirect into H
   * @param h the hidden class holding their bodies; may be null when {@code redirected} is empty
   * @throws IllegalArgumentException if a method is missing from {@code from}, {@code to} or H,
   *     has no code, or a spliced body refers to an added method of C
   */
  public static byte[] steady(byte[] from, byte[] to, ClassChange change, Set<String> redirected, HiddenClass h,
      String keyPrefix) {
    ClassReader fromReader = new ClassReader(from);
    ClassNode toNode = read(to, 0);
    checkSameClass(toNode, change);
    if (!fromReader.getClassName().equals(toNode.name)) {
      throw new IllegalArgumentException("cannot build " + toNode.name + " over " + fromReader.getClassName());
    }
    if (!redirected.isEmpty()) {
      checkIndyVersion(fromReader.readUnsignedShort(6), toNode.name);
      if (h == null) {
        throw new IllegalArgumentException("no hidden class for the redirected methods of " + toNode.name);
      }
    }
    Map<String, MethodNode> toMethods = methodsByKey(toNode);
    Map<String, MethodNode> spliced = new LinkedHashMap<>();
    References addedReferences = new References(toNode.name, new HashSet<>(change.added()), Set.of());
    for (String key : change.changed()) {
      if (redirected.contains(key)) {
        continue;
      }
      MethodNode method = toMethods.get(key);
      if (method == null) {
        throw new IllegalArgumentException("method " + toNode.name + "." + key + " is missing from the new class");
      }
      if (addedReferences.any(method)) {
        throw new IllegalArgumentException("method " + toNode.name + "." + key
            + " refers to a method the patch adds: it must be redirected, not spliced");
      }
      spliced.put(key, method);
    }
    Set<String> done = new HashSet<>();
    String owner = toNode.name;
    boolean itf = (fromReader.getAccess() & Opcodes.ACC_INTERFACE) != 0;
    // Sharing the reader keeps the constant pool and every untouched method as they were.
    ClassWriter writer = new ClassWriter(fromReader, 0);
    fromReader.accept(new ClassVisitor(API, writer) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        String key = name + descriptor;
        MethodNode replacement = spliced.get(key);
        if (replacement != null) {
          done.add(key);
          replacement.accept(writer);
          return null;
        }
        if (!redirected.contains(key)) {
          return super.visitMethod(access, name, descriptor, signature, exceptions);
        }
        done.add(key);
        MethodVisitor out = super.visitMethod(access, name, descriptor, signature, exceptions);
        return new MethodNode(API, access, name, descriptor, signature, exceptions) {
          @Override
          public void visitEnd() {
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0 || name.startsWith("<")) {
              throw new IllegalArgumentException("method " + owner + "." + key + " cannot be redirected: "
                  + (name.startsWith("<") ? "it is an initializer" : "it has no code"));
            }
            // Annotations, parameters and attributes stay; only the code is replaced.
            instructions = redirect(owner, this, h, keyPrefix);
            instructions.add(new InsnNode(Type.getReturnType(desc).getOpcode(Opcodes.IRETURN)));
            tryCatchBlocks = new ArrayList<>();
            localVariables = null;
            visibleLocalVariableAnnotations = null;
            invisibleLocalVariableAnnotations = null;
            int slots = Type.getArgumentsAndReturnSizes(desc) >> 2;
            if ((access & Opcodes.ACC_STATIC) != 0) {
              slots--;
            }
            maxLocals = slots;
            maxStack = Math.max(slots, Type.getReturnType(desc).getSize());
            accept(out);
          }
        };
      }
    }, 0);
    Set<String> missing = new LinkedHashSet<>(spliced.keySet());
    missing.addAll(redirected);
    missing.removeAll(done);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("method " + owner + "." + missing.iterator().next()
          + " is missing from the running class");
    }
    return writer.toByteArray();
  }

  /**
   * The gated form of C during a per-thread transition: each listed method starts with
   * {@code invokedynamic gate ()Z; ifeq OLD; load receiver and arguments; invokedynamic redirect
   * into H; return; OLD:} followed by its current body unchanged.
   *
   * @param from the class that runs now
   * @param methods keys of the methods to gate; H must hold a body for each
   * @param h the hidden class holding the new bodies
   * @throws NotMovableException if a method is an initializer, abstract or native, or the class
   *     file is too old for invokedynamic
   * @throws IllegalArgumentException if a method is missing from {@code from} or H
   */
  public static byte[] gated(byte[] from, Collection<String> methods, HiddenClass h, String keyPrefix)
      throws NotMovableException {
    ClassReader fromReader = new ClassReader(from);
    String owner = fromReader.getClassName();
    int version = fromReader.readUnsignedShort(4) << 16 | fromReader.readUnsignedShort(6);
    Set<String> wanted = new LinkedHashSet<>(methods);
    // The gated methods are read with expanded frames, to insert code and a frame at their start.
    Map<String, MethodNode> gatedMethods = new LinkedHashMap<>();
    fromReader.accept(new ClassVisitor(API) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        if (!wanted.contains(name + descriptor)) {
          return null;
        }
        MethodNode method = new MethodNode(API, access, name, descriptor, signature, exceptions);
        gatedMethods.put(name + descriptor, method);
        return method;
      }
    }, ClassReader.EXPAND_FRAMES);
    wanted.removeAll(gatedMethods.keySet());
    if (!wanted.isEmpty()) {
      throw new IllegalArgumentException("method " + owner + "." + wanted.iterator().next()
          + " is missing from the running class");
    }
    for (MethodNode method : gatedMethods.values()) {
      String reason = HiddenClassBuilder.unmovable(method.access, method.name, version);
      if (reason != null) {
        throw new NotMovableException(owner, method.name, method.desc, reason);
      }
      gate(owner, method, h, keyPrefix);
    }
    // Sharing the reader keeps every other method as it was, byte for byte. COMPUTE_MAXS only:
    // computing frames would load classes.
    ClassWriter writer = new ClassWriter(fromReader, ClassWriter.COMPUTE_MAXS);
    fromReader.accept(new ClassVisitor(API, writer) {
      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        MethodNode method = gatedMethods.get(name + descriptor);
        if (method == null) {
          return super.visitMethod(access, name, descriptor, signature, exceptions);
        }
        method.accept(writer);
        return null;
      }
    }, 0);
    return writer.toByteArray();
  }

  private static void gate(String owner, MethodNode method, HiddenClass h, String keyPrefix) {
    LabelNode old = new LabelNode();
    InsnList prologue = new InsnList();
    prologue.add(new InvokeDynamicInsnNode(GATE, "()Z", bootstrap(owner), gateKey(keyPrefix, method.name, method.desc)));
    prologue.add(new JumpInsnNode(Opcodes.IFEQ, old));
    prologue.add(redirect(owner, method, h, keyPrefix));
    prologue.add(new InsnNode(Type.getReturnType(method.desc).getOpcode(Opcodes.IRETURN)));
    prologue.add(old);
    if (!startsWithFrame(method)) {
      // The expanded equivalent of F_SAME at the original entry: the parameters, an empty stack.
      List<Object> locals = new ArrayList<>();
      if ((method.access & Opcodes.ACC_STATIC) == 0) {
        locals.add(owner);
      }
      for (Type type : Type.getArgumentTypes(method.desc)) {
        locals.add(frameType(type));
      }
      prologue.add(new FrameNode(Opcodes.F_NEW, locals.size(), locals.toArray(), 0, new Object[0]));
    }
    method.instructions.insert(prologue);
  }

  private static boolean startsWithFrame(MethodNode method) {
    for (var insn = method.instructions.getFirst(); insn != null; insn = insn.getNext()) {
      if (insn instanceof FrameNode) {
        return true;
      }
      if (insn.getOpcode() >= 0) {
        return false;
      }
    }
    return false;
  }

  private static Object frameType(Type type) {
    return switch (type.getSort()) {
      case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
      case Type.FLOAT -> Opcodes.FLOAT;
      case Type.LONG -> Opcodes.LONG;
      case Type.DOUBLE -> Opcodes.DOUBLE;
      default -> type.getInternalName();
    };
  }

  /** Loads the receiver and the arguments of {@code method} and invokes its body in H. */
  private static InsnList redirect(String owner, MethodNode method, HiddenClass h, String keyPrefix) {
    String key = method.name + method.desc;
    String target = h == null ? null : h.redirects().get(key);
    if (target == null) {
      throw new IllegalArgumentException("the hidden class holds no body for " + owner + "." + key);
    }
    int bar = target.indexOf('|');
    String hName = target.substring(0, bar);
    String hDesc = target.substring(bar + 1);
    boolean isStatic = (method.access & Opcodes.ACC_STATIC) != 0;
    if (!hDesc.equals(hiddenDescriptor(owner, method.desc, isStatic))) {
      throw new IllegalArgumentException("the hidden class's body " + hName + hDesc + " does not fit "
          + owner + "." + key);
    }
    InsnList code = new InsnList();
    int slot = 0;
    if (!isStatic) {
      code.add(new VarInsnNode(Opcodes.ALOAD, 0));
      slot = 1;
    }
    for (Type type : Type.getArgumentTypes(method.desc)) {
      code.add(new VarInsnNode(type.getOpcode(Opcodes.ILOAD), slot));
      slot += type.getSize();
    }
    code.add(new InvokeDynamicInsnNode(REDIRECT, hDesc, bootstrap(owner), redirectKey(keyPrefix, hName, hDesc)));
    return code;
  }

  // ---------------------------------------------------------------------------------------------
  // Logical class

  /**
   * The class a patch describes (never loaded as such when it adds members): {@code running}
   * with the bodies of {@code changedKeys} taken from {@code patchNew}, then {@code patchNew}'s
   * methods {@code addedKeys} and the shadow fields appended (as {@code patchNew} declares them).
   *
   * @throws IllegalArgumentException if a method or field is missing from {@code patchNew}, a
   *     changed method from {@code running}, or an added member is already in {@code running}
   */
  public static byte[] logical(byte[] running, byte[] patchNew, Collection<String> changedKeys,
      Collection<String> addedKeys, Collection<ShadowField> shadowFields) {
    ClassReader runningReader = new ClassReader(running);
    ClassNode patchNode = read(patchNew, 0);
    if (!patchNode.name.equals(runningReader.getClassName())) {
      throw new IllegalArgumentException("cannot take members of " + patchNode.name + " into "
          + runningReader.getClassName());
    }
    String owner = patchNode.name;
    Map<String, MethodNode> patchMethods = methodsByKey(patchNode);
    Map<String, MethodNode> changed = pick(patchMethods, changedKeys, owner);
    Map<String, MethodNode> added = pick(patchMethods, addedKeys, owner);
    Map<String, FieldNode> patchFields = new HashMap<>();
    for (FieldNode field : patchNode.fields) {
      patchFields.put(field.name + ":" + field.desc, field);
    }
    List<FieldNode> fields = new ArrayList<>();
    for (ShadowField shadow : shadowFields) {
      FieldNode field = patchFields.get(shadow.key());
      if (field == null) {
        throw new IllegalArgumentException("field " + owner + "." + shadow.key() + " is missing from the new class");
      }
      fields.add(field);
    }
    Set<String> shadowKeys = new HashSet<>();
    for (ShadowField shadow : shadowFields) {
      shadowKeys.add(shadow.key());
    }
    Set<String> done = new HashSet<>();
    ClassWriter writer = new ClassWriter(runningReader, 0);
    runningReader.accept(new ClassVisitor(API, writer) {
      @Override
      public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        if (shadowKeys.contains(name + ":" + descriptor)) {
          throw new IllegalArgumentException("field " + owner + "." + name + ":" + descriptor
              + " is already in the running class");
        }
        return super.visitField(access, name, descriptor, signature, value);
      }

      @Override
      public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
          String[] exceptions) {
        String key = name + descriptor;
        if (added.containsKey(key)) {
          throw new IllegalArgumentException("method " + owner + "." + key + " is already in the running class");
        }
        MethodNode replacement = changed.get(key);
        if (replacement == null) {
          return super.visitMethod(access, name, descriptor, signature, exceptions);
        }
        done.add(key);
        replacement.accept(writer);
        return null;
      }

      @Override
      public void visitEnd() {
        for (FieldNode field : fields) {
          field.accept(writer);
        }
        for (MethodNode method : added.values()) {
          method.accept(writer);
        }
        super.visitEnd();
      }
    }, 0);
    Set<String> missing = new LinkedHashSet<>(changed.keySet());
    missing.removeAll(done);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException("method " + owner + "." + missing.iterator().next()
          + " is missing from the running class");
    }
    return writer.toByteArray();
  }

  private static Map<String, MethodNode> pick(Map<String, MethodNode> methods, Collection<String> keys, String owner) {
    Map<String, MethodNode> picked = new LinkedHashMap<>();
    for (String key : keys) {
      MethodNode method = methods.get(key);
      if (method == null) {
        throw new IllegalArgumentException("method " + owner + "." + key + " is missing from the new class");
      }
      picked.put(key, method);
    }
    return picked;
  }

  // ---------------------------------------------------------------------------------------------

  static ClassNode read(byte[] classFile, int flags) {
    ClassNode node = new ClassNode();
    try {
      new ClassReader(classFile).accept(node, flags);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a readable class file: " + e, e);
    }
    return node;
  }

  static Map<String, MethodNode> methodsByKey(ClassNode node) {
    Map<String, MethodNode> methods = new LinkedHashMap<>();
    for (MethodNode method : node.methods) {
      methods.put(method.name + method.desc, method);
    }
    return methods;
  }

  static void checkIndyVersion(int major, String owner) {
    if (major < Opcodes.V1_7) {
      throw new IllegalArgumentException("class " + owner + " has class file version " + major
          + ", which cannot hold invokedynamic (51, Java 7, needed)");
    }
  }

  private static void checkSameClass(ClassNode node, ClassChange change) {
    if (!node.name.equals(change.className())) {
      throw new IllegalArgumentException("the change is of " + change.className() + ", not of " + node.name);
    }
  }
}
