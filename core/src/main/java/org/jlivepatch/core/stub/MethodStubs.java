package org.jlivepatch.core.stub;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jlivepatch.core.classes.ClassSet;
import org.jlivepatch.core.diff.ChangedMethod;
import org.jlivepatch.core.diff.DiffResult;
import org.jlivepatch.core.fingerprint.Fingerprints;
import org.jlivepatch.core.model.BuildInfo;
import org.jlivepatch.core.model.ChangeKind;
import org.jlivepatch.core.model.PatchedClass;
import org.jlivepatch.core.model.PatchedMethod;
import org.jlivepatch.core.model.Refusal;
import org.jlivepatch.core.model.Warning;
import org.jlivepatch.core.splice.ClassSplicer;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;

/**
 * Builds emergency stubs: one method of the vendor's classes replaced by a body that only returns
 * a value or throws, spliced into the vendor's own class bytes (kind {@code in-place}).
 *
 * <p>A method is named as {@code com.example.Foo#method(desc)}: the binary class name (or its
 * simple name when only one class has it), {@code #}, the method name, and optionally its JVM
 * descriptor, whole ({@code (Ljava/lang/String;)Ljava/lang/String;}) or its parameters only
 * ({@code (Ljava/lang/String;)}). Without a descriptor the name must have one overload.
 *
 * <p>What the stub does:
 * <ul>
 *   <li>{@code null}: returns null; reference return types only.
 *   <li>{@code default}: returns 0, 0L, 0.0, false or null, or just returns from a void method.
 *   <li>{@code throw:EXCEPTION}: throws a new {@code EXCEPTION} (binary name) with a message naming
 *       the method; it must be a {@link Throwable} with a public {@code (String)} or {@code ()}
 *       constructor, found in the vendor's classes, the class path or the JDK.
 *   <li>a literal: {@code true}/{@code false} for boolean; a number in range for the numeric types
 *       (decimal or {@code 0x} hex; a single character also for char); any text for a method
 *       returning {@code String} or a supertype of it ({@code Object}, {@code CharSequence}, ...),
 *       where surrounding double quotes are removed, so {@code '"null"'} is the text {@code null};
 *       a boxed type takes its primitive's literal. Any other return type takes no literal.
 * </ul>
 * A value the return type makes impossible is refused, with the reason. Constructors, static
 * initializers, abstract and native methods are refused.
 */
public final class MethodStubs {

  /** Types a {@code String} literal can be returned as. */
  private static final Set<String> STRING_TYPES = Set.of("java/lang/String", "java/lang/Object",
      "java/lang/CharSequence", "java/lang/Comparable", "java/io/Serializable", "java/lang/constant/Constable",
      "java/lang/constant/ConstantDesc");

  private MethodStubs() {}

  /**
   * Builds the difference a stub makes to the vendor's classes.
   *
   * @param vendor the classes that run
   * @param classPath further classes an exception may come from
   * @param methodSpec the method, e.g. {@code com.example.Foo#lookup(Ljava/lang/String;)}
   * @param returns {@code null}, {@code default}, {@code throw:EXCEPTION} or a literal
   * @return the difference: one changed method, or a refusal with the reason
   * @throws StubSpecException if the spec names no class or method, or several overloads
   */
  public static DiffResult build(ClassSet vendor, List<ClassSet> classPath, String methodSpec, String returns)
      throws StubSpecException {
    Objects.requireNonNull(returns, "returns");
    String className = resolveClass(vendor, methodSpec);
    byte[] vendorBytes = vendor.classes().get(className);
    ClassNode node = new ClassNode();
    new ClassReader(vendorBytes).accept(node, 0);
    MethodNode method = resolveMethod(node, className, methodSpec);
    String key = method.name + method.desc;
    String member = "method " + key;
    BuildInfo vendorBuild = vendor.buildInfo();
    int major = node.version & 0xFFFF;
    BuildInfo stubBuild = new BuildInfo("jlivepatch stub", major);

    List<ClassSet> lookup = new ArrayList<>();
    lookup.add(vendor);
    lookup.addAll(classPath);
    List<Warning> warnings = new ArrayList<>();
    InsnList body;
    try {
      checkStubbable(method);
      body = body(node, method, returns.strip(), lookup, warnings);
    } catch (Refused refused) {
      return new DiffResult(List.of(), List.of(), List.of(new Refusal(className, member, refused.getMessage())),
          List.of(), List.of(), List.of(), vendorBuild, stubBuild);
    }

    MethodNode stub = new MethodNode(Opcodes.ASM9, method.access, method.name, method.desc, method.signature,
        method.exceptions.toArray(new String[0]));
    stub.parameters = method.parameters;
    stub.visibleAnnotations = method.visibleAnnotations;
    stub.invisibleAnnotations = method.invisibleAnnotations;
    stub.visibleParameterAnnotations = method.visibleParameterAnnotations;
    stub.invisibleParameterAnnotations = method.invisibleParameterAnnotations;
    stub.visibleAnnotableParameterCount = method.visibleAnnotableParameterCount;
    stub.invisibleAnnotableParameterCount = method.invisibleAnnotableParameterCount;
    stub.visibleTypeAnnotations = method.visibleTypeAnnotations;
    stub.invisibleTypeAnnotations = method.invisibleTypeAnnotations;
    stub.attrs = method.attrs;
    stub.instructions = body;
    ClassNode holder = new ClassNode();
    holder.version = node.version;
    holder.access = node.access;
    holder.name = node.name;
    holder.superName = node.superName;
    holder.methods.add(stub);
    // A straight-line body has no branch, so it needs no stack map frame: no class hierarchy is loaded.
    ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
    holder.accept(writer);
    byte[] spliced = ClassSplicer.splice(vendorBytes, writer.toByteArray(), List.of(key));

    String expected = Fingerprints.ofClass(vendorBytes).get(key);
    String stubbed = Fingerprints.ofClass(spliced).get(key);
    PatchedMethod patched = new PatchedMethod(method.name, method.desc, ChangeKind.IN_PLACE, expected, stubbed);
    warnings.add(new Warning(className, member, "emergency stub: the method's body is replaced by one that "
        + describe(returns.strip()) + "; callers get that instead of what the method did"));
    return new DiffResult(List.of(new ChangedMethod(className, method.name, method.desc, ChangeKind.IN_PLACE)),
        List.of(), List.of(), warnings, List.of(),
        List.of(new PatchedClass(className, vendorBytes, spliced, List.of(patched))), vendorBuild, stubBuild);
  }

  private static String describe(String returns) {
    if (returns.startsWith("throw:")) {
      return "throws a new " + returns.substring("throw:".length());
    }
    if (returns.equals("default")) {
      return "returns the type's default value (0, false, null or nothing)";
    }
    return "returns " + returns;
  }

  private static String resolveClass(ClassSet vendor, String spec) throws StubSpecException {
    int hash = spec.indexOf('#');
    if (hash <= 0 || hash == spec.length() - 1) {
      throw new StubSpecException("--stub '" + spec + "': expected CLASS#METHOD or CLASS#METHOD(DESCRIPTOR), "
          + "e.g. com.example.Foo#lookup(Ljava/lang/String;)");
    }
    String name = spec.substring(0, hash);
    if (vendor.classes().containsKey(name)) {
      return name;
    }
    List<String> bySimpleName = vendor.classes().keySet().stream()
        .filter(c -> c.endsWith("." + name) || c.equals(name) || c.endsWith("$" + name)).toList();
    if (bySimpleName.size() == 1) {
      return bySimpleName.get(0);
    }
    if (bySimpleName.isEmpty()) {
      throw new StubSpecException("--stub '" + spec + "': no class " + name + " among the classes of --old");
    }
    throw new StubSpecException("--stub '" + spec + "': class name " + name + " is ambiguous: " + bySimpleName
        + "; give the binary name");
  }

  private static MethodNode resolveMethod(ClassNode node, String className, String spec) throws StubSpecException {
    String rest = spec.substring(spec.indexOf('#') + 1);
    int paren = rest.indexOf('(');
    String name = paren < 0 ? rest : rest.substring(0, paren);
    String descriptor = paren < 0 ? null : rest.substring(paren);
    List<MethodNode> named = node.methods.stream().filter(m -> m.name.equals(name)).toList();
    if (named.isEmpty()) {
      throw new StubSpecException("--stub '" + spec + "': class " + className + " has no method " + name);
    }
    List<MethodNode> matching = named.stream()
        .filter(m -> descriptor == null || m.desc.equals(descriptor)
            || (descriptor.endsWith(")") && m.desc.startsWith(descriptor)))
        .toList();
    if (matching.size() == 1) {
      return matching.get(0);
    }
    List<String> overloads = named.stream().map(m -> m.name + m.desc).toList();
    if (matching.isEmpty()) {
      throw new StubSpecException("--stub '" + spec + "': no method " + name + descriptor + " in " + className
          + "; it has " + overloads);
    }
    throw new StubSpecException("--stub '" + spec + "': " + className + "#" + name + " is ambiguous: "
        + overloads + "; add the descriptor, e.g. " + className + "#" + overloads.get(0));
  }

  private static void checkStubbable(MethodNode method) throws Refused {
    if (method.name.equals("<init>")) {
      throw new Refused("a constructor cannot be stubbed: it must call its superclass constructor and initialise "
          + "final fields; stub the method that creates the objects, or throw from a method that uses them");
    }
    if (method.name.equals("<clinit>")) {
      throw new Refused("a static initializer never runs again in a live JVM; stubbing it changes nothing");
    }
    if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
      throw new Refused("an abstract or native method has no body to replace; stub its implementations");
    }
  }

  private static InsnList body(ClassNode owner, MethodNode method, String returns, List<ClassSet> lookup,
      List<Warning> warnings) throws Refused {
    Type type = Type.getReturnType(method.desc);
    InsnList body = new InsnList();
    if (returns.startsWith("throw:")) {
      throwing(owner, method, returns.substring("throw:".length()).strip(), lookup, warnings, body);
      return body;
    }
    String typeName = type.getClassName();
    if (returns.equals("null")) {
      if (type.getSort() != Type.OBJECT && type.getSort() != Type.ARRAY) {
        throw new Refused("cannot return null from a method returning " + typeName
            + ": use default or a value of that type");
      }
      body.add(new InsnNode(Opcodes.ACONST_NULL));
    } else if (returns.equals("default")) {
      switch (type.getSort()) {
        case Type.VOID -> { }
        case Type.LONG -> body.add(new InsnNode(Opcodes.LCONST_0));
        case Type.FLOAT -> body.add(new InsnNode(Opcodes.FCONST_0));
        case Type.DOUBLE -> body.add(new InsnNode(Opcodes.DCONST_0));
        case Type.OBJECT, Type.ARRAY -> body.add(new InsnNode(Opcodes.ACONST_NULL));
        default -> body.add(new InsnNode(Opcodes.ICONST_0));
      }
    } else if (type.getSort() == Type.VOID) {
      throw new Refused("a void method returns no value: use default (just return) or throw:EXCEPTION");
    } else if (type.getSort() == Type.OBJECT && STRING_TYPES.contains(type.getInternalName())) {
      String text = returns.length() >= 2 && returns.startsWith("\"") && returns.endsWith("\"")
          ? returns.substring(1, returns.length() - 1) : returns;
      body.add(new LdcInsnNode(text));
    } else if (type.getSort() == Type.OBJECT && primitiveOfBox(type.getInternalName()) != null) {
      Type primitive = primitiveOfBox(type.getInternalName());
      body.add(constant(primitive, returns, typeName));
      body.add(new MethodInsnNode(Opcodes.INVOKESTATIC, type.getInternalName(), "valueOf",
          Type.getMethodDescriptor(type, primitive), false));
    } else if (type.getSort() == Type.OBJECT || type.getSort() == Type.ARRAY) {
      throw new Refused("cannot return the literal '" + returns + "' from a method returning " + typeName
          + ": a literal is taken for primitives, their boxes and String only; use null, default or throw:EXCEPTION");
    } else {
      body.add(constant(type, returns, typeName));
    }
    body.add(new InsnNode(type.getOpcode(Opcodes.IRETURN)));
    return body;
  }

  /** Loads a primitive literal of {@code type}. */
  private static AbstractInsnNode constant(Type type, String literal, String typeName) throws Refused {
    try {
      switch (type.getSort()) {
        case Type.BOOLEAN -> {
          if (!literal.equals("true") && !literal.equals("false")) {
            throw new NumberFormatException();
          }
          return new InsnNode(literal.equals("true") ? Opcodes.ICONST_1 : Opcodes.ICONST_0);
        }
        case Type.CHAR -> {
          if (literal.length() == 1) {
            return ldc((int) literal.charAt(0));
          }
          return ldc(ranged(literal, Character.MIN_VALUE, Character.MAX_VALUE));
        }
        case Type.BYTE -> { return ldc(ranged(literal, Byte.MIN_VALUE, Byte.MAX_VALUE)); }
        case Type.SHORT -> { return ldc(ranged(literal, Short.MIN_VALUE, Short.MAX_VALUE)); }
        case Type.INT -> { return ldc(Integer.decode(literal)); }
        case Type.LONG -> {
          String digits = literal.endsWith("L") || literal.endsWith("l") ? literal.substring(0, literal.length() - 1) : literal;
          return ldc(Long.decode(digits));
        }
        case Type.FLOAT -> { return ldc(Float.parseFloat(literal)); }
        case Type.DOUBLE -> { return ldc(Double.parseDouble(literal)); }
        default -> throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new Refused("cannot return '" + literal + "' from a method returning " + typeName
          + ": not a " + type.getClassName() + " literal" + (type.getSort() == Type.BOOLEAN ? " (true or false)" : ""));
    }
  }

  private static int ranged(String literal, int min, int max) {
    int value = Integer.decode(literal);
    if (value < min || value > max) {
      throw new NumberFormatException();
    }
    return value;
  }

  private static LdcInsnNode ldc(Object value) {
    return new LdcInsnNode(value);
  }

  private static Type primitiveOfBox(String internalName) {
    return switch (internalName) {
      case "java/lang/Boolean" -> Type.BOOLEAN_TYPE;
      case "java/lang/Character" -> Type.CHAR_TYPE;
      case "java/lang/Byte" -> Type.BYTE_TYPE;
      case "java/lang/Short" -> Type.SHORT_TYPE;
      case "java/lang/Integer" -> Type.INT_TYPE;
      case "java/lang/Long" -> Type.LONG_TYPE;
      case "java/lang/Float" -> Type.FLOAT_TYPE;
      case "java/lang/Double" -> Type.DOUBLE_TYPE;
      default -> null;
    };
  }

  private static void throwing(ClassNode owner, MethodNode method, String exception, List<ClassSet> lookup,
      List<Warning> warnings, InsnList body) throws Refused {
    if (exception.isEmpty()) {
      throw new Refused("throw: names no exception class, e.g. throw:java.lang.UnsupportedOperationException");
    }
    String internal = exception.replace('.', '/');
    String pkg = owner.name.substring(0, Math.max(0, owner.name.lastIndexOf('/')));
    boolean samePackage = pkg.equals(internal.substring(0, Math.max(0, internal.lastIndexOf('/'))));
    boolean withMessage;
    boolean unchecked;
    ClassNode found = find(lookup, exception);
    if (found != null) {
      if ((found.access & Opcodes.ACC_PUBLIC) == 0 && !samePackage) {
        throw new Refused("exception class " + exception + " is not public: " + owner.name.replace('/', '.')
            + " cannot create it");
      }
      withMessage = hasConstructor(found, "(Ljava/lang/String;)V", samePackage);
      if (!withMessage && !hasConstructor(found, "()V", samePackage)) {
        throw new Refused("exception class " + exception + " has no accessible (String) or () constructor");
      }
      unchecked = throwableKind(lookup, found.superName, exception);
    } else {
      Class<?> jdkClass;
      try {
        jdkClass = Class.forName(exception, false, ClassLoader.getPlatformClassLoader());
      } catch (ClassNotFoundException | LinkageError e) {
        throw new Refused("exception class " + exception + " is neither among the classes of --old and --classpath "
            + "nor in the JDK");
      }
      checkJdkThrowable(jdkClass, exception);
      withMessage = publicConstructor(jdkClass, String.class) != null;
      if (!withMessage && publicConstructor(jdkClass) == null) {
        throw new Refused("exception class " + exception + " has no public (String) or () constructor");
      }
      unchecked = RuntimeException.class.isAssignableFrom(jdkClass) || Error.class.isAssignableFrom(jdkClass);
    }
    if (!unchecked && !declares(method, exception, lookup)) {
      warnings.add(new Warning(owner.name.replace('/', '.'), "method " + method.name + method.desc,
          "the stub throws checked exception " + exception + ", which the method does not declare: "
              + "callers compiled against it do not expect it"));
    }
    body.add(new TypeInsnNode(Opcodes.NEW, internal));
    body.add(new InsnNode(Opcodes.DUP));
    if (withMessage) {
      body.add(new LdcInsnNode(owner.name.replace('/', '.') + "." + method.name
          + " is disabled by a jlivepatch emergency stub"));
    }
    body.add(new MethodInsnNode(Opcodes.INVOKESPECIAL, internal, "<init>",
        withMessage ? "(Ljava/lang/String;)V" : "()V", false));
    body.add(new InsnNode(Opcodes.ATHROW));
  }

  /**
   * Whether the exception whose superclass is {@code superName} is unchecked.
   *
   * @throws Refused if it is not a Throwable
   */
  private static boolean throwableKind(List<ClassSet> lookup, String superName, String exception) throws Refused {
    String current = superName;
    for (int depth = 0; current != null && depth < 64; depth++) {
      ClassNode node = find(lookup, current.replace('/', '.'));
      if (node == null) {
        Class<?> jdkClass;
        try {
          jdkClass = Class.forName(current.replace('/', '.'), false, ClassLoader.getPlatformClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
          throw new Refused("cannot tell whether " + exception + " is a Throwable: its superclass "
              + current.replace('/', '.') + " is missing (add it with --classpath)");
        }
        if (!Throwable.class.isAssignableFrom(jdkClass)) {
          throw new Refused(exception + " is not a Throwable: only a Throwable can be thrown");
        }
        return RuntimeException.class.isAssignableFrom(jdkClass) || Error.class.isAssignableFrom(jdkClass);
      }
      current = node.superName;
    }
    throw new Refused(exception + " is not a Throwable: only a Throwable can be thrown");
  }

  private static void checkJdkThrowable(Class<?> jdkClass, String exception) throws Refused {
    if (!Throwable.class.isAssignableFrom(jdkClass)) {
      throw new Refused(exception + " is not a Throwable: only a Throwable can be thrown");
    }
    if (!Modifier.isPublic(jdkClass.getModifiers()) || Modifier.isAbstract(jdkClass.getModifiers())
        || !jdkClass.getModule().isExported(jdkClass.getPackageName())) {
      throw new Refused("exception class " + exception + " is not a public, concrete class of an exported package");
    }
  }

  private static Constructor<?> publicConstructor(Class<?> type, Class<?>... parameters) {
    try {
      Constructor<?> constructor = type.getConstructor(parameters);
      return Modifier.isPublic(constructor.getModifiers()) ? constructor : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  private static boolean hasConstructor(ClassNode node, String descriptor, boolean samePackage) {
    if ((node.access & Opcodes.ACC_ABSTRACT) != 0) {
      return false;
    }
    return node.methods.stream().anyMatch(m -> m.name.equals("<init>") && m.desc.equals(descriptor)
        && ((m.access & Opcodes.ACC_PUBLIC) != 0 || (samePackage && (m.access & Opcodes.ACC_PRIVATE) == 0)));
  }

  /** Whether the method's {@code throws} clause names the exception or one of its superclasses. */
  private static boolean declares(MethodNode method, String exception, List<ClassSet> lookup) {
    String current = exception.replace('.', '/');
    for (int depth = 0; current != null && depth < 64; depth++) {
      if (method.exceptions.contains(current)) {
        return true;
      }
      ClassNode node = find(lookup, current.replace('/', '.'));
      if (node != null) {
        current = node.superName;
      } else {
        try {
          Class<?> superclass = Class.forName(current.replace('/', '.'), false, ClassLoader.getPlatformClassLoader())
              .getSuperclass();
          current = superclass == null ? null : Type.getInternalName(superclass);
        } catch (ClassNotFoundException | LinkageError e) {
          return false;
        }
      }
    }
    return false;
  }

  private static ClassNode find(List<ClassSet> lookup, String binaryName) {
    for (ClassSet set : lookup) {
      byte[] bytes = set.classes().get(binaryName);
      if (bytes != null) {
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return node;
      }
    }
    return null;
  }

  /** A stub the method's kind or return type makes impossible; becomes a {@link Refusal}. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }
}
